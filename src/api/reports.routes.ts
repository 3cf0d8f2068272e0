import { PassThrough } from 'node:stream'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Compilable, Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import { CHAT_COLUMNS, CHAT_GROUPINGS, chatsReport } from '../reports/chats-report.js'
import { AGENT_COLUMNS, AGENT_GROUPINGS, agentsReport } from '../reports/agents-report.js'
import { LOSS_COLUMNS, LOSS_GROUPINGS, lossesReport } from '../reports/losses-report.js'
import { reportRows } from '../reports/report-query.js'
import { parseReportRequest, type ReportRequest } from '../reports/report-request.js'
import { streamCsv } from '../reports/report-stream.js'
import { SOURCE_COLUMNS, SOURCE_GROUPINGS, sourcesReport } from '../reports/sources-report.js'
import { DB_ERRORS, errorResponses } from './error-responses.js'
import { ReportAnswer, ReportQuery } from './operations-schemas.js'

export interface ReportRoutesOptions {
  db: Kysely<Database>
  now: () => number
}

type Query = Record<string, string | undefined>

const reportSchema = (summary: string) => ({
  summary,
  querystring: ReportQuery,
  response: { 200: ReportAnswer, ...errorResponses({ 400: ['CTI_ERR_INVALID_RANGE', 'CTI_ERR_UNKNOWN_GROUPING', 'CTI_ERR_UNKNOWN_FORMAT'] }, DB_ERRORS) }
})

/**
 * `GET /v1/reports/sources|agents|losses|chats?from=&to=&groupBy=&format=`: JSON
 * `{ from, to, groupBy, rows }`, or CSV (`format=csv` or `Accept: text/csv`)
 * streamed from a database cursor. A bad range, grouping or format is a 400
 * naming it.
 */
export async function reportRoutes(fastify: FastifyInstance, options: ReportRoutesOptions): Promise<void> {
  const { db, now } = options

  fastify.get('/v1/reports/sources', { schema: reportSchema('Inquiries and answers per source, campaign and line, with their cost') }, async (request, reply) => {
    const req = parseReportRequest(request.query as Query, request.headers.accept, SOURCE_GROUPINGS, now())
    return answer(request, reply, req, 'sources', sourcesReport(db, req), SOURCE_COLUMNS)
  })

  fastify.get('/v1/reports/agents', { schema: reportSchema('Offered, answered and missed calls and talk time per agent') }, async (request, reply) => {
    const req = parseReportRequest(request.query as Query, request.headers.accept, AGENT_GROUPINGS, now())
    return answer(request, reply, req, 'agents', agentsReport(db, req, now()), AGENT_COLUMNS)
  })

  fastify.get('/v1/reports/losses', { schema: reportSchema('Missed and abandoned calls, and where they were lost') }, async (request, reply) => {
    const req = parseReportRequest(request.query as Query, request.headers.accept, LOSS_GROUPINGS, now())
    return answer(request, reply, req, 'losses', lossesReport(db, req), LOSS_COLUMNS)
  })

  fastify.get('/v1/reports/chats', { schema: reportSchema('Web chats per source, agent and product: answered, missed, messages left, call-backs, time to answer and handle time') }, async (request, reply) => {
    const req = parseReportRequest(request.query as Query, request.headers.accept, CHAT_GROUPINGS, now())
    return answer(request, reply, req, 'chats', chatsReport(db, req), CHAT_COLUMNS)
  })

  async function answer<R extends Record<string, unknown>>(
    request: FastifyRequest,
    reply: FastifyReply,
    req: ReportRequest<string>,
    name: string,
    query: Compilable<R>,
    columns: readonly (keyof R & string)[]
  ) {
    const range = { from: req.from.toISOString(), to: req.to.toISOString(), groupBy: req.groupBy }
    if (req.format === 'json') return { report: name, ...range, rows: await reportRows(db, query) }
    const body = new PassThrough()
    const file = `${name}-${range.from.slice(0, 10)}-${range.to.slice(0, 10)}.csv`
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file}"`).send(body)
    streamCsv(db, query, columns, body).then(
      (rows) => {
        request.log.info({ report: name, ...range, rows }, 'report streamed')
        body.end()
      },
      (err: unknown) => {
        // The status line is gone already: cut the body short so the client sees a broken download.
        request.log.error({ err, report: name, ...range }, 'report stream failed')
        body.destroy(err instanceof Error ? err : new Error(String(err)))
      }
    )
    return reply
  }
}
