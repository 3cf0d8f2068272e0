import t, { type Test } from 'tap'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import pino from 'pino'
import type { Database } from '../../src/crm/schema.js'
import { CallerIdentifier } from '../../src/identify/identify-caller.js'
import { InteractionRouter, type InteractionEvent } from '../../src/interactions/interaction-router.js'
import { LineDirectory } from '../../src/interactions/line-directory.js'
import { AgentIndex, CallRouter } from '../../src/routing/index.js'
import { compileRuleSet, createCatalog } from '../../src/rules/index.js'

const RULES = 'rules:\n  - name: everyone\n    route:\n      - team: floor\n        strategy: longest-idle\n    otherwise:\n      queue: floor\n'

/** An interaction router over one agent, with no caller numbers (the database is never reached). */
function setUp(t: Test, order: string[]) {
  const compiled = compileRuleSet(
    [
      { file: 'calendar.yaml', text: 'calendar:\n  timezone: UTC\n  hours:\n    mon-sun: 00:00-24:00\n' },
      { file: 'rules.yaml', text: RULES }
    ],
    createCatalog({ teams: ['floor'] })
  )
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors))
  const ruleSet = compiled.ruleSet
  const now = () => Date.now()
  const index = new AgentIndex()
  index.upsertAgent({ id: 'anna', name: 'Anna', team: 'floor', address: 'sip:anna@pbx.test', capacity: 1, skills: {} })
  index.setAgentState('anna', 'available', now())
  const router = new CallRouter({ index, env: { now, random: Math.random }, wrapUpSeconds: 0 })
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ max: 1 }) }) })
  t.teardown(() => db.destroy())
  const interactions = new InteractionRouter({
    identifier: new CallerIdentifier(db, 'RU', 10),
    router,
    rules: () => ruleSet,
    lines: new LineDirectory(),
    logger: pino({ level: 'silent' }),
    now,
    ringTimers: false,
    confirmReservation: async (agentId, callId) => {
      order.push(`reserve ${callId} for ${agentId}`)
      return 'confirmed'
    }
  })
  return { interactions, router }
}

const label = (e: InteractionEvent): string => `${e.type} ${'callId' in e ? e.callId : ''}`

t.test('a listener added first hears every event before the listeners added earlier', async (t) => {
  const order: string[] = []
  const { interactions } = setUp(t, order)
  interactions.onEvent((e) => void order.push(`records: ${label(e)}`))
  interactions.onEvent((e) => void order.push(`shared store: ${label(e)}`), { first: true })
  await interactions.route({ caller: null, dialed: null, callId: 'call-1', channel: 'http' })
  const routed = order.filter((line) => line.endsWith('routed call-1'))
  t.same(routed, ['shared store: routed call-1', 'records: routed call-1'])
})

t.test("a served waiting call's reservation is on its way before the listeners of 'dequeued' run, and 'offered' still follows 'dequeued'", async (t) => {
  const order: string[] = []
  const { interactions, router } = setUp(t, order)
  await interactions.route({ caller: null, dialed: null, callId: 'busy', channel: 'http' })
  const waiting = await interactions.route({ caller: null, dialed: null, callId: 'waiting', channel: 'http' })
  t.ok(waiting.decision.queued, 'the second call waits: the only agent is ringing for the first')
  interactions.onEvent((e) => {
    if (e.type === 'dequeued' || e.type === 'offered') order.push(label(e))
  })
  order.length = 0
  interactions.ended('busy')
  const [served] = router.serveWaiting()
  t.ok(served, 'the freed agent is given the waiting call')
  await interactions.served(served!)
  t.same(order, ['reserve waiting for anna', 'dequeued waiting', 'offered waiting'])
})
