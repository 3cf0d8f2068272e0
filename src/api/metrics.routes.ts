import type { FastifyInstance } from 'fastify'
import type { Metrics } from '../metrics/metrics.js'
import { textAnswer } from './operations-schemas.js'

export interface MetricsRoutesOptions {
  metrics: Metrics
}

/**
 * `GET /metrics` in the Prometheus text format. At the root, outside /v1, so
 * the admin token does not apply: scrapers reach it like /health; it tells
 * counts only, never callers or customers. Keep it behind the same network
 * boundary as the admin endpoints.
 */
export async function metricsRoutes(fastify: FastifyInstance, options: MetricsRoutesOptions): Promise<void> {
  fastify.get('/metrics', { schema: { summary: 'Prometheus metrics (counts only, never callers)', response: { 200: textAnswer('the Prometheus text format', 'text/plain') } } }, async (_request, reply) => {
    const { contentType, body } = await options.metrics.text()
    return reply.header('content-type', contentType).send(body)
  })
}
