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

t.test('remembers a customer and a known-unknown number', async (t) => {
  const cache = new CallerCache(10)
  cache.set('+79161234567', summary('1'))
  cache.set('+79990000001', null)
  t.equal(cache.get('+79161234567')?.id, '1')
  t.equal(cache.get('+79990000001'), null)
  t.equal(cache.get('+70000000000'), undefined)
})

t.test('changing a customer forgets all of their numbers', async (t) => {
  const cache = new CallerCache(10)
  cache.set('+79161234567', summary('1'))
  cache.set('+79161234568', summary('1'))
  cache.set('+79031112233', summary('2'))
  cache.invalidateCustomer('1')
  t.equal(cache.get('+79161234567'), undefined)
  t.equal(cache.get('+79161234568'), undefined)
  t.equal(cache.get('+79031112233')?.id, '2')
})

t.test('a number newly given to a customer is no longer cached as unknown', async (t) => {
  const cache = new CallerCache(10)
  cache.set('+79161234567', null)
  cache.invalidatePhone('+79161234567')
  t.equal(cache.get('+79161234567'), undefined)
})

t.test('evicts the least recently used entry when full', async (t) => {
  const cache = new CallerCache(2)
  cache.set('+71', summary('1'))
  cache.set('+72', summary('2'))
  cache.get('+71')
  cache.set('+73', summary('3'))
  t.equal(cache.size, 2)
  t.equal(cache.get('+72'), undefined)
  t.equal(cache.get('+71')?.id, '1')
  t.equal(cache.get('+73')?.id, '3')
})

t.test('a size of zero caches nothing', async (t) => {
  const cache = new CallerCache(0)
  cache.set('+71', summary('1'))
  t.equal(cache.get('+71'), undefined)
})

t.test("fields known to be on file update a customer's cached numbers instead of forgetting them", async (t) => {
  const cache = new CallerCache(10)
  const told: unknown[] = []
  cache.onInvalidate = (change) => told.push(change)
  cache.set('+79161234567', summary('1'))
  cache.set('+79161234568', summary('1'))
  cache.set('+79031112233', summary('2'))
  const before = cache.generation
  cache.updateCustomer('1', { lastAgentId: 'a-anna', lastContactAt: Date.parse('2026-12-06T10:00:00Z') })
  t.match(cache.get('+79161234567'), { id: '1', lastAgentId: 'a-anna', lastContactAt: Date.parse('2026-12-06T10:00:00Z') })
  t.match(cache.get('+79161234568'), { id: '1', lastAgentId: 'a-anna' })
  t.match(cache.get('+79031112233'), { id: '2', lastAgentId: null }, 'other customers are untouched')
  t.ok(cache.generation > before, 'a lookup already running is not cached over the update')
  t.same(told, [{ customerId: '1' }], 'other processes are told to forget the customer')
})
