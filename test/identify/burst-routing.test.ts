import { sql } from 'kysely'
import t from 'tap'
import { request, testApp } from '../helpers/test-app.js'

const CALLERS = 2000
const phoneOf = (i: number) => `+7916${String(5_000_000 + i)}`

t.test('a burst of 2,000 route requests (250 at a time) while cards and records hold every main connection: no known customer is routed as new', async (t) => {
  const { app, url } = await testApp(t, { DB_POOL_SIZE: '2', DB_IDENTIFY_POOL_SIZE: '2', DB_TIMEOUT_MS: '300', CALLER_CACHE_SIZE: '0' })
  const db = app.database.db
  await sql`insert into customers (name) select 'Customer ' || i from generate_series(1, ${CALLERS}) i`.execute(db)
  await sql`insert into customer_phones (phone, customer_id) select '+7916' || (5000000 + row_number() over (order by id)), id from customers`.execute(db)

  // Card, record and workflow work standing in line for the main pool, longer than its connect timeout.
  let stopped = false
  const busy = Array.from({ length: 6 }, async () => {
    while (!stopped) await sql`select pg_sleep(0.75)`.execute(db).catch((err: unknown) => void err)
  })
  t.teardown(async () => {
    stopped = true
    await Promise.all(busy)
  })
  await new Promise((resolve) => setTimeout(resolve, 50))

  let next = 0
  const answers: { status: number; known: boolean; degraded: boolean }[] = []
  // 250 requests in flight at a time (more than the listen backlog takes at once), 2,000 in all.
  await Promise.all(
    Array.from({ length: 250 }, async () => {
      while (next < CALLERS) {
        const i = ++next
        const res = await request(`${url}/v1/route`, { method: 'POST', body: { caller: phoneOf(i), dialed: '+74951234567', callId: `burst-${i}` } }).catch((err: unknown) => ({
          status: 0,
          body: { error: String(err) }
        }))
        answers.push({ status: res.status, known: res.body?.customer?.name === `Customer ${i}`, degraded: res.body?.degraded === true })
      }
    })
  )
  stopped = true
  await Promise.all(busy)
  const failed = answers.filter((a) => a.status !== 200).length
  const degraded = answers.filter((a) => a.degraded).length
  const asNew = answers.filter((a) => a.status === 200 && !a.known).length
  t.comment(`${CALLERS} routed: ${failed} failed, ${degraded} degraded, ${asNew} known customers routed as new`)
  t.equal(failed, 0, 'every request answered')
  t.equal(degraded, 0, 'none routed in degraded mode: the database was never down')
  t.equal(asNew, 0, 'every known customer identified')
})
