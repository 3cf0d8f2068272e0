import t from 'tap'
import { SessionTurns } from '../../src/crm/session-turns.js'

t.test('holders take the session one at a time, in the order they asked', async (t) => {
  const turns = new SessionTurns()
  const order: string[] = []
  const hold = async (name: string) => {
    const release = await turns.take(false)
    order.push(`${name} in`)
    await new Promise((resolve) => setImmediate(resolve))
    order.push(`${name} out`)
    release()
  }
  await Promise.all([hold('records'), hold('card'), hold('tasks')])
  t.same(order, ['records in', 'records out', 'card in', 'card out', 'tasks in', 'tasks out'])
})

t.test("an urgent turn goes before the ordinary ones waiting, never into the holder's turn", async (t) => {
  const turns = new SessionTurns()
  const order: string[] = []
  const releaseRecords = await turns.take(false)
  const waiting = [
    turns.take(false).then((release) => (order.push('card'), release())),
    turns.take(false).then((release) => (order.push('tasks'), release())),
    turns.take(true).then((release) => (order.push('caller lookup'), release()))
  ]
  await new Promise((resolve) => setImmediate(resolve))
  t.same(order, [], 'nobody starts while the records batch holds the session')
  releaseRecords()
  await Promise.all(waiting)
  t.same(order, ['caller lookup', 'card', 'tasks'])
})

t.test('ending a turn twice frees the session once', async (t) => {
  const turns = new SessionTurns()
  const first = await turns.take(false)
  let second = false
  let third = false
  const secondTurn = turns.take(false).then((release) => ((second = true), release))
  void turns.take(false).then(() => (third = true))
  first()
  first()
  const releaseSecond = await secondTurn
  await new Promise((resolve) => setImmediate(resolve))
  t.ok(second)
  t.notOk(third, 'the third waits for the second, not for a repeated release of the first')
  releaseSecond()
  await new Promise((resolve) => setImmediate(resolve))
  t.ok(third)
})

t.test('a stream of urgent turns still lets an ordinary one through after eight', async (t) => {
  const turns = new SessionTurns()
  const order: string[] = []
  const releaseFirst = await turns.take(false)
  const waiting = [turns.take(false).then((release) => (order.push('records'), release()))]
  for (let i = 1; i <= 10; i++) waiting.push(turns.take(true).then((release) => (order.push(`lookup ${i}`), release())))
  releaseFirst()
  await Promise.all(waiting)
  t.same(order, ['lookup 1', 'lookup 2', 'lookup 3', 'lookup 4', 'lookup 5', 'lookup 6', 'lookup 7', 'lookup 8', 'records', 'lookup 9', 'lookup 10'])
})
