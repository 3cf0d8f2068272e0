import t from 'tap'
import { closeCallBackTasksOf, openCallBackTasks } from '../../src/crm/task.repository.js'
import { testDatabase } from '../helpers/test-app.js'

const DUE = Date.parse('2026-11-23T09:00:00Z')
const CUSTOMERS = 150
const ROUNDS = 12

t.test('missed calls opening call-back tasks and answered calls closing them, in two batches at once, never deadlock', async (t) => {
  const { db } = await testDatabase(t)
  const ids = (await db.insertInto('customers').values(Array.from({ length: CUSTOMERS }, (_, i) => ({ name: `Customer ${i}` }))).returning('id').execute()).map((r) => Number(r.id))
  const order = (customerId: number, callId: string) => ({ customerId, leadId: null, assigneeAgentId: null, title: 'call back', dueAt: DUE, callId })
  const failures: string[] = []
  for (let round = 0; round < ROUNDS; round++) {
    // Tasks made from the last customer to the first: their ids run against the customers' order.
    for (const id of [...ids].reverse()) await openCallBackTasks(db, [order(id, `open-${round}-${id}`)])
    const outcomes = await Promise.allSettled([
      // Each customer misses another call (one more try on their open task)…
      openCallBackTasks(db, ids.map((id) => order(id, `again-${round}-${id}`))),
      // …while each answers one, closing it.
      closeCallBackTasksOf(db, ids.map((id) => ({ callId: `answered-${round}-${id}`, customerId: id, phone: null, at: DUE + 1000 })))
    ])
    for (const o of outcomes) if (o.status === 'rejected') failures.push(`round ${round}: ${(o.reason as Error).message}`)
    // Whatever was left open goes, so the next round starts from none.
    await db.updateTable('tasks').set({ status: 'done' }).where('status', '=', 'open').execute()
  }
  t.same(failures, [], `${ROUNDS} rounds of ${CUSTOMERS} customers, both batches done`)
})
