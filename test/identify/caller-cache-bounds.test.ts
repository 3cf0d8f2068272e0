import t from 'tap'
import { CallerCache } from '../../src/identify/caller-cache.js'
import type { CustomerSummary } from '../../src/routing/types.js'

const summary = (id: string): CustomerSummary => ({
  id,
  name: `Customer ${id}`,
  ownerAgentId: null,
  tier: null,
  segment: null,
  language: null,
  overdueAmount: 0,
  overdueDays: 0,
  blocked: false,
  lastAgentId: null,
  lastContactAt: null,
  openDealStage: null
})

t.test('a cache cycling through far more customers than it holds keeps track of no more customers than it holds', async (t) => {
  const cache = new CallerCache(1000)
  for (let i = 0; i < 50_000; i++) cache.set(`+7916${String(i).padStart(7, '0')}`, summary(String(i)))
  t.equal(cache.size, 1000)
  t.equal(cache.customers, 1000)
})

t.test('an evicted number of a customer with two numbers leaves the other one invalidated with the customer', async (t) => {
  const cache = new CallerCache(2)
  cache.set('+79161234567', summary('1'))
  cache.set('+79161234568', summary('1'))
  cache.set('+79031112233', summary('2'))
  t.equal(cache.get('+79161234567'), undefined, 'the oldest went')
  cache.invalidateCustomer('1')
  t.equal(cache.get('+79161234568'), undefined)
  t.equal(cache.get('+79031112233')?.id, '2')
  t.equal(cache.customers, 1)
})
