import t from 'tap'
import { RateLimiter } from '../../src/chat/rate-limit.js'

/** A limiter on a clock that only moves when told to. */
function limiter() {
  let now = Date.UTC(2026, 10, 23, 8, 0)
  return { limiter: new RateLimiter(() => now), advance: (ms: number) => void (now += ms) }
}

/** Takes `n` messages for the key; how many were allowed. */
function send(l: RateLimiter, key: string, n: number, perMinute: number): number {
  let allowed = 0
  for (let i = 0; i < n; i++) if (l.take(key, perMinute)) allowed++
  return allowed
}

t.test('a key may send its whole minute at once, and no more', async (t) => {
  const { limiter: l } = limiter()
  t.equal(send(l, 'visitor:v1', 30, 30), 30)
  t.notOk(l.take('visitor:v1', 30))
})

t.test("one key over its limit takes nothing from another's", async (t) => {
  const { limiter: l } = limiter()
  send(l, 'visitor:v1', 31, 30)
  t.equal(send(l, 'visitor:v2', 30, 30), 30)
})

t.test('the allowance refills evenly over the minute', async (t) => {
  const { limiter: l, advance } = limiter()
  send(l, 'visitor:v1', 30, 30)
  advance(1999)
  t.notOk(l.take('visitor:v1', 30), 'not before 2 s, a thirtieth of the minute')
  advance(1)
  t.ok(l.take('visitor:v1', 30))
  t.notOk(l.take('visitor:v1', 30))
})

t.test('a key idle for long has its whole minute again, never more', async (t) => {
  const { limiter: l, advance } = limiter()
  send(l, 'ip:10.0.0.1', 5, 5)
  advance(60 * 60_000)
  t.equal(send(l, 'ip:10.0.0.1', 6, 5), 5)
})

t.test('a refused message is not counted against the key', async (t) => {
  const { limiter: l, advance } = limiter()
  send(l, 'visitor:v1', 30, 30)
  for (let i = 0; i < 100; i++) l.take('visitor:v1', 30)
  advance(2000)
  t.ok(l.take('visitor:v1', 30), 'refusals did not push the next message back')
})

t.test('a key that may send has nothing to wait for', async (t) => {
  const { limiter: l } = limiter()
  t.equal(l.retryAfterSeconds('visitor:never-seen', 30), 0)
  l.take('visitor:v1', 30)
  t.equal(l.retryAfterSeconds('visitor:v1', 30), 0)
})

t.test('a key over its limit is told the seconds until its next message', async (t) => {
  const { limiter: l } = limiter()
  send(l, 'visitor:v1', 31, 30)
  t.equal(l.retryAfterSeconds('visitor:v1', 30), 2)
  send(l, 'visitor:v2', 11, 10)
  t.equal(l.retryAfterSeconds('visitor:v2', 10), 6)
})

t.test('the wait told shrinks as time passes', async (t) => {
  const { limiter: l, advance } = limiter()
  send(l, 'visitor:v1', 11, 10)
  advance(4500)
  t.equal(l.retryAfterSeconds('visitor:v1', 10), 2)
  advance(1500)
  t.equal(l.retryAfterSeconds('visitor:v1', 10), 0)
  t.ok(l.take('visitor:v1', 10))
})

t.test('a flood of new keys does not free a key still over its limit', async (t) => {
  const { limiter: l, advance } = limiter()
  send(l, 'visitor:flooder', 31, 30)
  advance(1000)
  for (let i = 0; i < 100_001; i++) l.take(`ip:${i}`, 120)
  t.notOk(l.take('visitor:flooder', 30))
})
