import pino from 'pino'
import t from 'tap'
import { sql } from 'kysely'
import { AuditLog } from '../../src/audit/audit-log.js'
import { WriteHealth } from '../../src/durability/write-health.js'
import { testDatabase } from '../helpers/test-app.js'

const actor = { kind: 'admin', id: 'sha256:0123abcd', name: 'admin' } as const

t.test('an entry recorded is written with its actor, the time it was recorded and the changed fields', async (t) => {
  const database = await testDatabase(t)
  const audit = new AuditLog({ db: database.db, logger: pino({ level: 'silent' }), now: () => Date.parse('2026-12-01T10:00:00Z') })
  audit.record({ actor, action: 'agent.updated', entity: 'agent', entityId: 'anna', before: { capacity: 1 }, after: { capacity: 2 } })
  await audit.settled()
  const { rows } = await sql<Record<string, unknown>>`select * from audit_log`.execute(database.db)
  t.equal(rows.length, 1)
  t.match(rows[0], { actor_kind: 'admin', actor_id: 'sha256:0123abcd', actor_name: 'admin', action: 'agent.updated', entity: 'agent', entity_id: 'anna', before: { capacity: 1 }, after: { capacity: 2 } })
  t.equal((rows[0]!.at as Date).toISOString(), '2026-12-01T10:00:00.000Z')
  await audit.close()
})

t.test('entries recorded while the table cannot take them are kept and written once it can', async (t) => {
  const database = await testDatabase(t)
  await sql`alter table audit_log rename to audit_log_away`.execute(database.db)
  const health = new WriteHealth()
  const audit = new AuditLog({ db: database.db, logger: pino({ level: 'silent' }), now: Date.now, durability: { health } })
  audit.record({ actor, action: 'line.updated', entity: 'line', entityId: '+74950000000', before: null, after: { name: 'Sales' } })
  while (health.state().ok) await new Promise((resolve) => setTimeout(resolve, 50))
  t.match(health.state(), { ok: false, detail: /audit log refused/ }, '/ready names the audit log')
  await sql`alter table audit_log_away rename to audit_log`.execute(database.db)
  await audit.settled()
  t.same(health.state(), { ok: true })
  const { rows } = await sql<{ action: string }>`select action from audit_log`.execute(database.db)
  t.same(rows.map((r) => r.action), ['line.updated'])
  await audit.close()
})
