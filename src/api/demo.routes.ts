import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { loadDemoData } from '../crm/demo-data.js'
import type { Database } from '../crm/schema.js'
import { errorResponses, WRITE_ERRORS } from './error-responses.js'

export interface DemoRoutesOptions {
  db: Kysely<Database>
  now: () => number
  /** Told after the demo set is written, so caller caches and the agent index are reloaded. */
  onLoaded: () => void | Promise<void>
}

const Count = Type.Integer({ minimum: 0 })
const DemoCounts = Type.Object({
  agents: Count,
  customers: Count,
  phones: Count,
  calls: Count,
  deals: Count,
  orders: Count,
  payments: Count,
  tasks: Count,
  lines: Count
})

/**
 * `POST /v1/demo-data`: writes the demo CRM (replacing a previous demo set) and
 * answers 201 with the rows written per table. It goes through the running
 * server because the embedded database admits one process only.
 */
export async function demoRoutes(app: FastifyInstance, options: DemoRoutesOptions): Promise<void> {
  if (!options.db || typeof options.now !== 'function' || typeof options.onLoaded !== 'function') {
    throw new TypeError('demoRoutes needs { db, now, onLoaded }')
  }

  app.post('/v1/demo-data', { schema: { summary: 'Writes the demo CRM, replacing a previous demo set; the rows written per table', response: { 201: DemoCounts, ...errorResponses(WRITE_ERRORS) } } }, async (request, reply) => {
    const counts = await loadDemoData(options.db, options.now())
    await options.onLoaded()
    request.log.info({ counts }, 'demo data loaded')
    return reply.code(201).send(counts)
  })
}
