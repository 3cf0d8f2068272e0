import t from 'tap'
import { LookupQueue } from '../../src/identify/lookup-queue.js'

/** A lookup the test settles by hand. */
function held<T>() {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)))
  return { promise, resolve, reject, lookup: () => promise }
}

const unreachable = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })
const poolWait = () => new Error('timeout exceeded when trying to connect')
const settled = () => new Promise((resolve) => setImmediate(resolve))

t.test('runs at most its concurrency at once; the rest wait in order', async (t) => {
  const queue = new LookupQueue(2)
  const started: number[] = []
  const lookups = [0, 1, 2, 3].map(() => held<number>())
  const results = lookups.map((l, i) => queue.run(() => (started.push(i), l.lookup())))
  await settled()
  t.same(started, [0, 1])
  t.same(queue.size, { running: 2, waiting: 2 })
  lookups[1]!.resolve(1)
  await settled()
  t.same(started, [0, 1, 2], 'the first waiting one takes the freed turn')
  lookups[0]!.resolve(0)
  lookups[2]!.resolve(2)
  await settled()
  lookups[3]!.resolve(3)
  t.same(await Promise.all(results), [0, 1, 2, 3])
})

t.test('an unreachable database fails the waiting lookups at once, and new ones that would wait', async (t) => {
  const queue = new LookupQueue(1)
  const running = held<string>()
  const first = queue.run(running.lookup)
  const waiting = [queue.run(async () => 'never'), queue.run(async () => 'never')]
  running.reject(unreachable())
  await t.rejects(first, { code: 'ECONNREFUSED' })
  for (const w of waiting) await t.rejects(w, { code: 'ECONNREFUSED' }, 'a waiting lookup fails with the same error')
  const probe = held<string>()
  const next = queue.run(probe.lookup)
  await t.rejects(queue.run(async () => 'never'), { code: 'ECONNREFUSED' }, 'while down, a lookup that would wait fails at once')
  probe.resolve('back')
  t.equal(await next, 'back', 'a lookup with a free turn still tries the database')
  t.equal(await queue.run(async () => 'queued again'), 'queued again')
  const busy = held<string>()
  const busyRun = queue.run(busy.lookup)
  const behind = queue.run(async () => 'waited')
  busy.resolve('done')
  t.same(await Promise.all([busyRun, behind]), ['done', 'waited'], 'once it answered, lookups wait their turn again')
})

t.test('waiting for a pooled connection, or a query error, is not an outage', async (t) => {
  for (const make of [poolWait, () => Object.assign(new Error('syntax error'), { code: '42601' })]) {
    const queue = new LookupQueue(1)
    const running = held<string>()
    const first = queue.run(running.lookup)
    const waiting = queue.run(async () => 'still served')
    running.reject(make())
    await t.rejects(first)
    t.equal(await waiting, 'still served')
  }
})

t.test('a concurrency below one is refused', async (t) => {
  t.throws(() => new LookupQueue(0), TypeError)
})
