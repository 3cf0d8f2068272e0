import { sql } from 'kysely'
import pino from 'pino'
import t from 'tap'
import { AvailabilityObserver } from '../../src/presence/availability-log.js'
import { availabilityLogWriter } from '../../src/presence/availability-log-writer.js'
import { deleteOlderThan } from '../../src/preview/retention.js'
import type { AvailabilityRow } from '../../src/preview/types.js'
import { AgentIndex } from '../../src/routing/index.js'
import { testDatabase } from '../helpers/test-app.js'
import { AGENTS, DAY } from './fixture.js'

const silent = pino({ level: 'silent' })

function observed(): { index: AgentIndex; rows: AvailabilityRow[]; observer: AvailabilityObserver } {
  const index = new AgentIndex()
  const rows: AvailabilityRow[] = []
  const observer = new AvailabilityObserver(index, (r) => rows.push(r), silent, () => DAY)
  return { index, rows, observer }
}

t.test('a new agent is logged with their profile, later changes without it', async (t) => {
  const { index, rows } = observed()
  index.upsertAgent(AGENTS[0]!)
  index.setAgentState('a-anna', 'available', DAY + 1000)
  t.match(rows, [
    { agentId: 'a-anna', status: 'offline', profile: { team: 'vip-desk', capacity: 1 } },
    { agentId: 'a-anna', status: 'available', at: DAY + 1000, profile: null }
  ])
})

t.test('a call is logged as ringing, busy, wrap-up, and free again when the wrap-up was due', async (t) => {
  const { index, rows } = observed()
  index.upsertAgent(AGENTS[0]!, { status: 'available' })
  index.reserve('a-anna', DAY + 1000)
  index.answered('a-anna', DAY + 3000)
  index.ended('a-anna', DAY + 60_000, 30)
  index.tick(DAY + 120_000)
  t.same(rows.slice(1).map((r) => [r.status, r.at, r.ringing, r.talking]), [
    ['ringing', DAY + 1000, 1, 0],
    ['busy', DAY + 3000, 0, 1],
    ['wrap-up', DAY + 60_000, 0, 0],
    ['available', DAY + 90_000, 0, 0]
  ])
})

t.test('a call that changes nothing logs nothing', async (t) => {
  const { index, rows } = observed()
  index.upsertAgent(AGENTS[0]!, { status: 'away' })
  const before = rows.length
  index.release('a-anna', DAY + 1000)
  index.reserve('a-anna', DAY + 1000)
  t.equal(rows.length, before)
})

t.test('a removed agent is logged as removed', async (t) => {
  const { index, rows } = observed()
  index.upsertAgent(AGENTS[0]!)
  index.removeAgent('a-anna')
  t.match(rows.at(-1), { agentId: 'a-anna', status: 'removed' })
})

t.test('a checkpoint restates every agent with their profile', async (t) => {
  const { index, rows, observer } = observed()
  for (const a of AGENTS) index.upsertAgent(a, { status: 'available' })
  rows.length = 0
  observer.checkpoint(DAY)
  t.equal(rows.length, AGENTS.length)
  t.ok(rows.every((r) => r.checkpoint === true && r.profile !== null && r.at === DAY))
})

t.test('rows are written in batches, and deleted once past their retention', async (t) => {
  const database = await testDatabase(t)
  const writer = availabilityLogWriter(database.db, silent)
  const { index } = (() => {
    const index = new AgentIndex()
    new AvailabilityObserver(index, (r) => writer.enqueue(r), silent, () => DAY - 40 * 86_400_000)
    return { index }
  })()
  index.upsertAgent(AGENTS[0]!)
  index.setAgentState('a-anna', 'available', DAY)
  await writer.flush()
  const count = async () => (await sql<{ n: number }>`select count(*)::int as n from agent_availability_log`.execute(database.db)).rows[0]!.n
  t.equal(await count(), 2)
  t.equal(await deleteOlderThan(database.db, DAY - 30 * 86_400_000), 1, 'the row 40 days old goes')
  t.equal(await count(), 1)
})
