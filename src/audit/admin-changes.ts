import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { getAgent } from '../crm/agent.repository.js'
import { getCustomer } from '../crm/customer.repository.js'
import type { Database } from '../crm/schema.js'
import { normalizePhone } from '../identify/normalize-phone.js'
import type { AuditActor, AuditLog } from './audit-log.js'

type Fields = Record<string, unknown>

/** One admin route whose changes are recorded: what it changes, and how to read it before the change. */
interface AuditedRoute {
  entity: string
  /** The id of what the request changes, from its params ('' when only the answer knows it). */
  idOf(request: FastifyRequest): string
  /** The thing as it is before the change, in the shape the route answers with; null when it does not exist. */
  before?(db: Kysely<Database>, id: string): Promise<Fields | null>
  /** The fields recorded (default: every field of the answer). */
  fields?: readonly string[]
  /** The action for a change from before to after; null records nothing. */
  action(before: Fields | null, after: Fields): string | null
}

const params = (request: FastifyRequest) => request.params as Record<string, string>

function routes(country: string): Record<string, AuditedRoute> {
  const upserted = (entity: string) => (before: Fields | null, after: Fields) => (before === null ? `${entity}.created` : before.active === true && after.active === false ? `${entity}.deactivated` : `${entity}.updated`)
  return {
    'PUT /v1/agents/:id': { entity: 'agent', idOf: (r) => params(r).id!, before: async (db, id) => (await getAgent(db, id)) as Fields | null, action: upserted('agent') },
    'PUT /v1/lines/:number': {
      entity: 'line',
      idOf: (r) => {
        const n = normalizePhone(params(r).number, country)
        return n.ok ? n.e164 : params(r).number!
      },
      before: async (db, number) => {
        const row = await db.selectFrom('lines').selectAll().where('number', '=', number).executeTakeFirst()
        if (!row) return null
        return { number: row.number, name: row.name, source: row.source, campaign: row.campaign, product: row.product, costPerLead: row.cost_per_lead === null ? null : Number(row.cost_per_lead) }
      },
      action: upserted('line')
    },
    'PATCH /v1/customers/:id': {
      entity: 'customer',
      idOf: (r) => String(params(r).id),
      before: async (db, id) => getCustomer(db, Number(id)) as Promise<Fields | null>,
      fields: ['ownerAgentId'],
      action: () => 'customer.owner-changed'
    },
    'POST /v1/customers': { entity: 'customer', idOf: () => '', fields: ['ownerAgentId'], action: (_b, after) => (after.ownerAgentId ? 'customer.owner-changed' : null) },
    // The admin's state sets: what the agent was set to (the state before lives in the presence store, not here).
    'PUT /v1/agents/:id/state': { entity: 'agent', idOf: (r) => params(r).id!, fields: ['status'], action: () => 'agent.state-changed' },
    // The token itself is never recorded: only that one was issued, replacing any before it.
    'POST /v1/agents/:id/token': { entity: 'agent', idOf: (r) => params(r).id!, fields: [], action: () => 'token.issued' }
  }
}

/** The admin, named by the fingerprint of the token presented (never the token); null when the admin endpoints are open. */
export function adminActor(request: FastifyRequest): AuditActor {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')
  const id = bearer ? `sha256:${createHash('sha256').update(bearer[1]!).digest('hex').slice(0, 12)}` : null
  return { kind: 'admin', id, name: 'admin' }
}

/** The fields that differ, before and after; null when nothing the audit follows changed. */
export function changedFields(before: Fields | null, after: Fields, only?: readonly string[]): { before: Fields | null; after: Fields } | null {
  const keys = only ?? Object.keys(after)
  if (before === null) return { before: null, after: pick(after, keys) }
  const changed = keys.filter((key) => JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null))
  if (changed.length === 0) return null
  return { before: pick(before, changed), after: pick(after, changed) }
}

function pick(fields: Fields, keys: readonly string[]): Fields {
  return Object.fromEntries(keys.map((key) => [key, fields[key] ?? null]))
}

const pending = new WeakMap<FastifyRequest, { route: AuditedRoute; id: string; before: Fields | null }>()

/**
 * Records every change the admin routes make (agents, lines, customers' owners,
 * tokens issued): the thing is read before the handler runs, and the answer
 * tells what it became. A change answered with an error is not recorded.
 */
export function auditAdminChanges(server: FastifyInstance, o: { db: Kysely<Database>; audit: AuditLog; country: string; actorOf?: (request: FastifyRequest) => AuditActor }): void {
  const audited = routes(o.country)
  const actorOf = o.actorOf ?? adminActor
  // Callback hooks, not async ones: every request passes through them (a call's /v1/route among
  // them) and only a few admin routes need anything done.
  server.addHook('preHandler', (request, _reply, done) => {
    const route = audited[`${request.method} ${request.routeOptions.url}`]
    if (!route) return done()
    const id = route.idOf(request)
    if (!route.before) {
      pending.set(request, { route, id, before: null })
      return done()
    }
    route.before(o.db, id).then(
      (before) => {
        pending.set(request, { route, id, before })
        done()
      },
      (err: Error) => done(err)
    )
  })
  server.addHook('onSend', (request, reply, payload, done) => {
    const change = pending.get(request)
    if (!change || reply.statusCode >= 300 || typeof payload !== 'string') return done(null, payload)
    try {
      recordChange(request, change, payload)
      done(null, payload)
    } catch (err) {
      done(err as Error)
    }
  })

  function recordChange(request: FastifyRequest, change: { route: AuditedRoute; id: string; before: Fields | null }, payload: string): void {
    const answer = JSON.parse(payload) as Fields
    const { route, before } = change
    const action = route.action(before, answer)
    const diff = changedFields(before, answer, route.fields)
    if (action === null || diff === null) return
    const entityId = change.id || String(answer.id ?? '')
    const empty = route.fields?.length === 0
    o.audit.record({ actor: actorOf(request), action, entity: route.entity, entityId, before: empty ? null : diff.before, after: empty ? null : diff.after })
  }
}
