import { PassThrough } from 'node:stream'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { CALL_COLUMNS, callsQuery, listCalls, type CallFilter } from '../calls/call-history.repository.js'
import { CALL_OUTCOMES } from '../calls/call-record.js'
import { callStory } from '../calls/call-story.js'
import type { Database } from '../crm/schema.js'
import { Errors } from '../errors.js'
import { normalizePhone } from '../identify/normalize-phone.js'
import { streamCsv } from '../reports/report-stream.js'
import { DB_ERRORS, errorResponses } from './error-responses.js'
import { decodeCursor, encodeCursor, Filters, type Query } from './filters.js'
import { principalOf } from './supervisor-auth.js'
import { BAD_FILTER, CallId, CallListAnswer, CallsQuery, CallStory } from './history-schemas.js'

export interface CallRoutesOptions {
  db: Kysely<Database>
  /** Country for numbers written without one (DEFAULT_COUNTRY). */
  country: string
  /** The teams whose agents' calls the request may read; undefined for every call (the admin). Default: the supervisor's teams. */
  teamsOf?: (request: FastifyRequest) => readonly string[] | undefined
}

/** A timestamptz as PostgreSQL writes it out: "2026-11-23 08:00:00.123+00". */
const DATABASE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2}){0,2}$/

const FILTERS = ['from', 'to', 'caller', 'customer', 'agent', 'line', 'outcome', 'rule', 'limit', 'after', 'format']

const listSchema = {
  summary: 'Past calls, newest first, filtered; keyset pages (`next`), or every call matching as a streamed CSV (format=csv or Accept: text/csv)',
  querystring: CallsQuery,
  response: { 200: CallListAnswer, ...BAD_FILTER }
}
const storySchema = {
  params: CallId,
  summary: "The whole story of one call: every event, each offer and why it failed, each decision's trace and rules version, the queue wait, talk and wrap-up times, the customer or lead and the line",
  response: { 200: CallStory, ...errorResponses({ 404: ['CTI_ERR_CALL_NOT_FOUND'] }, DB_ERRORS) }
}

/** Call history: `GET /v1/calls` (search, pages, CSV) and `GET /v1/calls/:id` (the story of one call). */
export async function callRoutes(app: FastifyInstance, options: CallRoutesOptions): Promise<void> {
  const { db } = options
  const teamsOf = options.teamsOf ?? supervisorTeams

  app.get('/v1/calls', { schema: listSchema }, async (request, reply) => {
    const filters = new Filters(request.query as Query)
    filters.only(FILTERS)
    const filter = { ...parseCallFilter(filters, options.country), teams: teamsOf(request) }
    const limit = filters.integer('limit', 1, 500) ?? 50
    const format = filters.oneOf('format', ['json', 'csv']) ?? (/\btext\/csv\b/.test(request.headers.accept ?? '') ? 'csv' : 'json')
    const cursor = decodeCursor(filters)
    if (format === 'json') {
      const after = cursor === undefined ? undefined : cursorOf(cursor)
      const page = await listCalls(db, filter, limit, after)
      return { calls: page.calls, next: page.next ? encodeCursor([page.next.offeredAt, page.next.id]) : null }
    }
    // Every call matching, from a database cursor a batch at a time: a year of calls is never held in memory.
    const body = new PassThrough()
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="calls.csv"').send(body)
    streamCsv(db, callsQuery(db, filter), CALL_COLUMNS, body).then(
      (rows) => {
        request.log.info({ rows }, 'call history streamed')
        body.end()
      },
      (err: unknown) => {
        // The status line is gone already: cut the body short so the client sees a broken download.
        request.log.error({ err }, 'call history stream failed')
        body.destroy(err instanceof Error ? err : new Error(String(err)))
      }
    )
    return reply
  })

  app.get('/v1/calls/:id', { schema: storySchema }, async (request) => {
    const { id } = request.params as { id: string }
    const story = await callStory(db, id, teamsOf(request))
    // A call outside a supervisor's teams is answered like one that does not exist: its existence is not theirs to know.
    if (!story) throw Errors.callNotFound(id)
    return story
  })
}

/** The search filters of GET /v1/calls; a bad one is a 400 CTI_ERR_BAD_FILTER naming it. */
export function parseCallFilter(filters: Filters, country: string): CallFilter {
  const { from, to } = filters.range()
  const phone = (name: string): string | undefined => {
    const text = filters.text(name)
    if (text === undefined) return undefined
    const n = normalizePhone(text, country)
    if (!n.ok) throw Errors.badFilter(name, `is not a usable phone number: "${text}" (${n.problem})`)
    return n.e164
  }
  return {
    from,
    to,
    caller: phone('caller'),
    line: phone('line'),
    customerId: filters.integer('customer', 1, Number.MAX_SAFE_INTEGER),
    agentId: filters.text('agent'),
    outcome: filters.oneOf('outcome', CALL_OUTCOMES),
    rule: filters.text('rule')
  }
}

/** A supervisor reads the calls of their teams' agents; the admin reads every call. */
function supervisorTeams(request: FastifyRequest): readonly string[] | undefined {
  const principal = principalOf(request)
  return principal.kind === 'admin' ? undefined : principal.teams
}

function cursorOf(parts: unknown[]): { offeredAt: string; id: string } {
  const [offeredAt, id] = parts
  if (parts.length !== 2 || typeof offeredAt !== 'string' || typeof id !== 'string' || !DATABASE_TIME.test(offeredAt)) {
    throw Errors.badFilter('after', 'is not a cursor this server gave (take `next` from the previous page as it is)')
  }
  return { offeredAt, id }
}
