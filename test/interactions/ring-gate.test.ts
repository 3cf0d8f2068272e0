import t from 'tap'
import { RingGate } from '../../src/interactions/ring-gate.js'

const later = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

t.test('the ring waits for what the offer handed in, and no longer', async (t) => {
  const gate = new RingGate(1000)
  let sent = false
  gate.offered('c1', 'a-anna', later(30).then(() => (sent = true)))
  const started = Date.now()
  t.equal(await gate.wait('c1', 'a-anna'), 'ready')
  t.ok(sent, 'the card went first')
  t.ok(Date.now() - started < 500, 'without waiting for the bound')
})

t.test('work that is slower than the bound lets the ring go after the bound', async (t) => {
  const gate = new RingGate(40)
  gate.offered('c1', 'a-anna', new Promise(() => {}))
  const started = Date.now()
  t.equal(await gate.wait('c1', 'a-anna'), 'timed-out')
  const waited = Date.now() - started
  t.ok(waited >= 35 && waited < 500, `waited ${waited} ms for a 40 ms bound`)
})

t.test('work that failed does not hold the ring', async (t) => {
  const gate = new RingGate(1000)
  const failed = Promise.reject(new Error('CRM down'))
  failed.catch(() => undefined)
  gate.offered('c1', 'a-anna', failed)
  t.equal(await gate.wait('c1', 'a-anna'), 'ready')
})

t.test('nothing is waited for another agent, an offer without work, a second wait or an ended call', async (t) => {
  const gate = new RingGate(1000)
  const never = new Promise(() => {})
  gate.offered('c1', 'a-anna', never)
  t.equal(await gate.wait('c1', 'a-clara'), 'nothing-pending', 'another agent than the one offered')
  gate.offered('c1', 'a-clara', null)
  t.equal(await gate.wait('c1', 'a-clara'), 'nothing-pending', 'the next offer had nothing to send first')
  gate.offered('c2', 'a-boris', Promise.resolve())
  t.equal(await gate.wait('c2', 'a-boris'), 'ready')
  t.equal(await gate.wait('c2', 'a-boris'), 'nothing-pending', 'each offer is waited for once')
  gate.offered('c3', 'a-igor', never)
  gate.forget('c3')
  t.equal(await gate.wait('c3', 'a-igor'), 'nothing-pending', 'the call ended')
})

t.test('a bound below zero is refused', async (t) => {
  t.throws(() => new RingGate(-1), RangeError)
})
