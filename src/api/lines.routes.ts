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

export interface LineRoutesOptions {
  db: Kysely<Database>
  identifier: CallerIdentifier
  onLineChanged: (line: LineInfo) => void
}

/** Lines: the numbers customers dial, with the source, campaign and product each one advertises. */
export async function lineRoutes(fastify: FastifyInstance, options: LineRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()

  app.get('/v1/lines', async () => listLines(options.db))

  app.put('/v1/lines/:number', { schema: { params: Type.Object({ number: Type.String({ maxLength: 64 }) }), body: LineBody } }, async (request) => {
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
