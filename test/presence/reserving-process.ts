// One process of the many-reservations test: the routing path of a server (index, core, interaction
// router, the Redis agent-state store) without HTTP or a database, driven as fast as it goes. It
// routes calls with no caller number (nothing to look up), holds each agent it is given for a moment,
// answers half of them, ends them, and writes down when it believed it held which agent.
//
// Environment: REDIS_URL, REDIS_KEY_PREFIX, REDIS_TIMEOUT_MS, AGENTS (JSON [{ id, capacity }]),
// RESERVATIONS (confirmations to ask for), PARALLEL (calls at once), NAME, OUT (file for the results).
// Parent messages (IPC): 'go'. Messages to the parent: 'ready', then the results' file is written
// and 'done' sent.
import { once } from 'node:events'
import { writeFile } from 'node:fs/promises'
import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import pino from 'pino'
import type { Database } from '../../src/crm/schema.js'
import { CallerIdentifier } from '../../src/identify/identify-caller.js'
import { InteractionRouter, type ReservationOutcome } from '../../src/interactions/interaction-router.js'
import { LineDirectory } from '../../src/interactions/line-directory.js'
import { RedisAgentStateStore } from '../../src/presence/redis-agent-state-store.js'
import { redisKeys } from '../../src/presence/redis-keys.js'
import { RedisLink } from '../../src/presence/redis-link.js'
import { AgentIndex, CallRouter } from '../../src/routing/index.js'
import { compileRuleSet, createCatalog } from '../../src/rules/index.js'

const env = process.env
const name = env.NAME!
const agents = JSON.parse(env.AGENTS!) as { id: string; capacity: number }[]
const wanted = Number(env.RESERVATIONS)
const parallel = Number(env.PARALLEL)
const logger = pino({ level: env.TEST_LOG_LEVEL ?? 'silent' }, pino.destination(2))
const now = () => Date.now()
/** A clock every process on the machine shares (CLOCK_MONOTONIC), in µs: holds of different processes compare. */
const shared = () => Number(process.hrtime.bigint() / 1000n)

const compiled = compileRuleSet(
  [
    { file: 'calendar.yaml', text: 'calendar:\n  timezone: UTC\n  hours:\n    mon-sun: 00:00-24:00\n' },
    { file: 'rules.yaml', text: 'rules:\n  - name: everyone\n    route:\n      - team: floor\n        strategy: longest-idle\n        ring: 10m\n    otherwise:\n      queue: floor\n' }
  ],
  createCatalog({ teams: ['floor'] })
)
if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors))
const ruleSet = compiled.ruleSet

const index = new AgentIndex()
for (const a of agents) index.upsertAgent({ id: a.id, name: a.id, team: 'floor', address: `sip:${a.id}@pbx.test`, capacity: a.capacity, skills: {} })
const router = new CallRouter({ index, env: { now, random: Math.random }, wrapUpSeconds: 0 })
const link = new RedisLink({ url: env.REDIS_URL!, commandTimeoutMs: Number(env.REDIS_TIMEOUT_MS), logger, now })
const store = new RedisAgentStateStore({ link, keys: redisKeys(env.REDIS_KEY_PREFIX!), index, router, processId: name, leaseMs: 15_000, wrapUpSeconds: 0, logger, now })
const outcomes: Record<ReservationOutcome, number> = { confirmed: 0, taken: 0, unconfirmed: 0, degraded: 0 }
let asked = 0
// Callers are never looked up (no caller number), so the database is never reached.
const unusedDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ max: 1 }) }) })
const interactions = new InteractionRouter({
  identifier: new CallerIdentifier(unusedDb, 'RU', 10),
  router,
  rules: () => ruleSet,
  lines: new LineDirectory(),
  logger,
  now,
  ringTimers: false,
  confirmReservation: async (agentId, callId, ringSeconds) => {
    asked++
    const outcome = await store.confirmReservation(agentId, callId, ringSeconds)
    outcomes[outcome]++
    return outcome
  }
})
interactions.onEvent(store.handle)

// On a loaded machine the first handshake may take longer than the short timeout; the link retries.
if (!(await link.connect())) await once(link, 'up')
// A loaded machine may take longer than the short timeout to answer the first read: try again.
for (let attempt = 1; ; attempt++) {
  try {
    await store.loadAll()
    break
  } catch (err) {
    if (attempt === 20) throw err
  }
}
link.markInSync()
store.start()
for (const a of agents) store.setState(a.id, 'available', 1)

/** [agent, from, to] in µs of the shared clock: from the confirmation's answer to the release decided. */
const holds: [string, number, number][] = []
let next = 0
let routedWithNobody = 0

async function worker(): Promise<void> {
  while (asked < wanted) {
    const callId = `${name}-${next++}`
    const routed = await interactions.route({ caller: null, dialed: null, callId, channel: 'http', ringTimer: false })
    const agentId = routed.decision.targets[0]?.agentId
    if (agentId) {
      const from = shared()
      // Hold the agent for a moment: other calls and other processes race for them meanwhile.
      await new Promise((resolve) => setTimeout(resolve, next % 3))
      if (next % 2 === 0) interactions.answered(callId, agentId)
      holds.push([agentId, from, shared()])
    } else {
      routedWithNobody++
      // Everyone is busy as far as this replica knows: give the others a moment to release.
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
    interactions.ended(callId)
  }
}

process.send!('ready')
process.once('message', async () => {
  const started = Date.now()
  await Promise.all(Array.from({ length: parallel }, worker))
  const ms = Date.now() - started
  // Let the last releases reach Redis before the parent looks.
  await new Promise((resolve) => setTimeout(resolve, 1500))
  store.stop()
  await link.close()
  await unusedDb.destroy()
  await writeFile(env.OUT!, JSON.stringify({ name, asked, outcomes, routedWithNobody, ms, holds }))
  process.send!('done')
})
