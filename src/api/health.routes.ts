import type { FastifyInstance } from 'fastify'
import { HealthView, ReadyView } from './operations-schemas.js'

/** A named readiness check: true when that dependency is usable. */
export type ReadinessCheck = () => Promise<{ ok: boolean; detail?: string }>

/**
 * `/health`: the process is alive. `/ready`: every dependency is usable (the
 * database answers and its migrations are applied; later, SIP/AMI/Redis).
 */
export async function healthRoutes(app: FastifyInstance, options: { checks: Record<string, ReadinessCheck> }): Promise<void> {
  app.get('/health', { schema: { summary: 'The process is alive', response: { 200: HealthView } } }, async () => ({ status: 'ok' }))

  app.get('/ready', { schema: { summary: 'Every dependency is usable (503 names those that are not)', response: { 200: ReadyView, 503: ReadyView } } }, async (_request, reply) => {
    const entries = await Promise.all(
      Object.entries(options.checks).map(async ([name, check]) => [name, await check().catch((err: Error) => ({ ok: false, detail: err.message }))] as const)
    )
    const checks = Object.fromEntries(entries)
    const ready = entries.every(([, result]) => result.ok)
    return reply.code(ready ? 200 : 503).send({ ready, checks })
  })
}
