import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Kysely } from 'kysely'
import { listLines, upsertLine } from '../crm/line.repository.js'
import type { Database } from '../crm/schema.js'
import { Errors } from '../errors.js'
import type { CallerIdentifier } from '../identify/identify-caller.js'
import type { LineInfo } from '../routing/types.js'
import { LineBody } from './schemas.js'
import { DB_ERRORS, errorResponses, WRITE_ERRORS } from './error-responses.js'
import { LineView } from './response-schemas.js'

const listSchema = { summary: 'Every line: the numbers customers dial, with what each advertises', response: { 200: Type.Array(LineView), ...errorResponses(DB_ERRORS) } }
const putSchema = {
  summary: 'Creates or replaces a line (its number in any format)',
  params: Type.Object({ number: Type.String({ maxLength: 64 }) }),
  body: LineBody,
  response: { 200: LineView, ...errorResponses({ 400: ['CTI_ERR_INVALID_PHONE'] }, WRITE_ERRORS) }
}

export interface LineRoutesOptions {
  db: Kysely<Database>
  identifier: CallerIdentifier
  onLineChanged: (line: LineInfo) => void
}

/** Lines: the numbers customers dial, with the source, campaign and product each one advertises. */
export async function lineRoutes(fastify: FastifyInstance, options: LineRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get('/v1/lines', { schema: listSchema }, async () => listLines(options.db))

  app.put('/v1/lines/:number', { schema: putSchema }, async (request) => {
    const n = options.identifier.normalize(request.params.number)
    if (!n.ok) throw Errors.invalidPhone(request.params.number, n.problem)
    const body = request.body
    const line = await upsertLine(options.db, {
      number: n.e164,
      name: body.name ?? null,
      source: body.source ?? null,
      campaign: body.campaign ?? null,
      product: body.product ?? null,
      costPerLead: body.costPerLead ?? null
    })
    options.onLineChanged(line)
    return line
  })
}
