import pino from 'pino'
import t from 'tap'
import { confirmDecision, type ReservationOutcome } from '../../src/interactions/shared-confirmation.js'
import { CallRouter, type RouteInput } from '../../src/routing/call-router.js'
import type { RouteStep } from '../../src/routing/types.js'
import { agent, call, indexOf, rule, rules, testEnv } from './fixtures/inputs.js'

const sales: RouteStep = { kind: 'team', team: 'sales', strategy: 'longest-idle', ringSeconds: 20 }
const input: RouteInput = { interaction: call(), customer: null, line: null, rules: rules([rule('main', { steps: [sales], otherwise: { kind: 'queue', queue: 'sales' } })]) }
const logger = pino({ level: 'silent' })

/** A real core, and a shared store that answers each confirmation with the next of `outcomes`. */
function setup(outcomes: ReservationOutcome[]) {
  const index = indexOf(['olga', 'ivan', 'anna'].map((id) => agent(id, { team: 'sales' })))
  const router = new CallRouter({ index, env: testEnv(), wrapUpSeconds: 30 })
  const asked: string[] = []
  const confirmReservation = async (agentId: string) => {
    asked.push(agentId)
    return outcomes.shift() ?? 'confirmed'
  }
  return { index, router, asked, deps: { router, logger, confirmReservation } }
}

t.test('an agent the store did not confirm in time is skipped, and the answer says why', async (t) => {
  const { index, router, asked, deps } = setup(['unconfirmed', 'confirmed'])
  const { decision, reasons } = await confirmDecision(deps, 'call-1', router.route(input))
  t.same(asked, ['olga', 'ivan'])
  t.equal(decision.targets[0]?.agentId, 'ivan')
  t.same(reasons, ['redis-timeout'])
  t.equal(index.get('olga')?.state.status, 'available', 'the unconfirmed reservation is not kept')
  t.same(router.progress('call-1')?.failed, [{ agentId: 'olga', why: 'unconfirmed' }])
})

t.test('after two agents go unconfirmed the final action applies and nobody is held', async (t) => {
  const { index, router, asked, deps } = setup(['unconfirmed', 'unconfirmed'])
  const { decision, reasons } = await confirmDecision(deps, 'call-1', router.route(input))
  t.same(asked, ['olga', 'ivan'], 'the third agent is not tried: each try costs up to two store timeouts')
  t.same(decision.targets, [])
  t.same(decision.final, { kind: 'queue', queue: 'sales' })
  t.match(decision.reason, /not confirmed in time/)
  t.same(reasons, ['redis-timeout'])
  t.same(['olga', 'ivan', 'anna'].map((id) => index.get(id)?.state.status), ['available', 'available', 'available'])
  t.equal(router.progress('call-1')?.agentId, null)
})

t.test('a reservation kept while the store is unreachable stays, and the answer says so', async (t) => {
  const { index, router, deps } = setup(['degraded'])
  const { decision, reasons } = await confirmDecision(deps, 'call-1', router.route(input))
  t.equal(decision.targets[0]?.agentId, 'olga')
  t.same(reasons, ['redis-unreachable'])
  t.equal(index.get('olga')?.state.status, 'ringing')
})

t.test('an agent taken by another process is skipped without degrading the answer', async (t) => {
  const { router, deps } = setup(['taken', 'confirmed'])
  const { decision, reasons } = await confirmDecision(deps, 'call-1', router.route(input))
  t.equal(decision.targets[0]?.agentId, 'ivan')
  t.same(reasons, [])
})

t.test('withdraw releases the agent and excludes them from the interaction', async (t) => {
  const { index, router } = setup([])
  router.route(input)
  t.equal(router.withdraw('call-1', 'ivan', 'unconfirmed'), false, 'only the agent it holds')
  t.equal(router.withdraw('call-1', 'olga', 'unconfirmed'), true)
  t.equal(index.get('olga')?.state.status, 'available')
  const again = router.route(input)
  t.equal(again.targets[0]?.agentId, 'ivan', 'routing the interaction again never offers the withdrawn agent')
})
