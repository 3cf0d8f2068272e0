import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { sql } from 'kysely'
import t from 'tap'
import { testApp } from '../helpers/test-app.js'

const CALLS = 300_000
const MiB = 1024 * 1024

// What is live on the heap, not what garbage waits to be collected.
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const liveHeap = () => {
  gc()
  return process.memoryUsage().heapUsed
}

t.test('a CSV export of a huge range streams: the heap stays far below the size of the file', async (t) => {
  const { app, url } = await testApp(t)
  // On a connection without the request timeout: inserting this many rows takes a while on a busy machine.
  const unhurried = await app.database.unhurried()
  await sql`
    insert into calls (id, channel, caller, caller_name, dialed, agent_id, rule, outcome, source, campaign, offered_at, ended_at, wait_seconds)
    select 'csv-' || g, 'sip', '+7900' || lpad(g::text, 7, '0'), 'Caller number ' || g || ', a name long enough to make rows of a realistic size', '+74951234567',
      'a-anna', 'VIP customers', 'missed', 'yandex-direct', 'spring-crm', timestamptz '2026-01-01' + make_interval(secs => g * 60), timestamptz '2026-01-01' + make_interval(secs => g * 60 + 30), 30
    from generate_series(1, ${CALLS}::int) g`.execute(unhurried.db)
  await unhurried.close()
  const baseline = liveHeap()
  let peak = baseline
  let bytes = 0
  let lines = 0
  let sampledAt = 0
  const response = await fetch(`${url}/v1/calls?format=csv&from=2026-01-01&to=2027-01-01`)
  t.equal(response.status, 200)
  for await (const chunk of response.body!) {
    bytes += chunk.byteLength
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) lines++
    // Sampled every 4 MiB received, while the server is still reading from its cursor.
    if (bytes - sampledAt >= 4 * MiB) {
      sampledAt = bytes
      peak = Math.max(peak, liveHeap())
    }
  }
  t.equal(lines, CALLS + 1, 'a header and every call')
  t.ok(bytes > 60 * MiB, `the file is large (${(bytes / MiB).toFixed(0)} MiB)`)
  const growth = peak - baseline
  t.ok(growth < bytes / 4, `the live heap grew by ${(growth / MiB).toFixed(0)} MiB at most while ${(bytes / MiB).toFixed(0)} MiB streamed`)
})
