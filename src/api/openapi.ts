import { readFileSync } from 'node:fs'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify'
import { isAdminPath } from './admin-auth.js'
import { errorBody, mergeCodes } from './error-responses.js'
import { isSupervisorPath, WALLBOARD_SOCKET_PATH } from './supervisor-paths.js'

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

/** Where the description is served; the reference page is under the same prefix. */
export const OPENAPI_PATH = '/docs/openapi.json'

type RouteSchema = FastifySchema & { summary?: string; tags?: string[]; hide?: boolean; security?: unknown; response?: Record<string, unknown> }

/**
 * Describes the HTTP API from its own route schemas (@fastify/swagger, OpenAPI
 * 3.1) at `GET /docs/openapi.json`, with a reference page at `/docs`. Register
 * before the route plugins: routes are collected as they are declared.
 */
export function registerOpenApi(app: FastifyInstance): void {
  void app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'cti-router',
        version,
        description:
          'Call-center CTI and smart call-routing server. Every error answers `{ error: "CTI_ERR_…", message }`. ' +
          'The admin token applies only when the server runs with ADMIN_TOKEN set.'
      },
      components: {
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer', description: 'ADMIN_TOKEN: every /v1 endpoint but the agents\' own' },
          agentToken: { type: 'http', scheme: 'bearer', description: "an agent's screen-pop token (POST /v1/agents/{id}/token)" },
          agentTokenInQuery: { type: 'apiKey', in: 'query', name: 'token', description: "the agent's token, for a browser's WebSocket (it cannot set headers)" },
          supervisorToken: { type: 'http', scheme: 'bearer', description: "a supervisor's token (POST /v1/supervisors/{id}/token): the wallboard, call history and the supervisor's own actions, limited to their teams" },
          supervisorTokenInQuery: { type: 'apiKey', in: 'query', name: 'token', description: "a supervisor's (or the admin) token, for the wallboard's WebSocket" }
        }
      }
    },
    transform: ({ schema, url, route }) => ({ schema: describeRoute((schema ?? {}) as RouteSchema, url, route as RouteOptions) as FastifySchema, url })
  })
  void app.register(fastifySwaggerUi, { routePrefix: '/docs', uiConfig: { url: OPENAPI_PATH } as Record<string, unknown> })
  void app.register(async (docs) => {
    docs.get(
      OPENAPI_PATH,
      { schema: { summary: 'This description (OpenAPI 3.1)', tags: ['docs'], response: { 200: { type: 'object', additionalProperties: true, description: 'the OpenAPI document' } } } },
      async () => docs.swagger()
    )
  })
}

/** Who may call a path: the admin token, an agent's token, or anyone. */
function security(url: string): Record<string, string[]>[] {
  if (url === '/v1/agents/socket') return [{ agentTokenInQuery: [] }, { agentToken: [] }]
  if (/^\/v1\/me(\/|$)/.test(url)) return [{ agentToken: [] }]
  if (url === WALLBOARD_SOCKET_PATH) return [{ supervisorTokenInQuery: [] }]
  if (isSupervisorPath(url)) return [{ adminToken: [] }, { supervisorToken: [] }]
  return isAdminPath(url) ? [{ adminToken: [] }] : []
}

/** The errors every route shares, by what it takes and who may call it. */
function sharedErrors(schema: RouteSchema, url: string, method: string, upgrades: boolean): Record<number, string[]> {
  const takesInput = Boolean(schema.params || schema.querystring || schema.body) || url.includes(':')
  const shared: Record<number, string[]> = { 500: ['CTI_ERR_INTERNAL'] }
  if (takesInput) shared[400] = ['CTI_ERR_VALIDATION', 'CTI_ERR_NUL_CHARACTER', 'CTI_ERR_BAD_URL']
  if (url.includes(':')) shared[414] = ['CTI_ERR_URI_TOO_LONG']
  if (schema.body || (method !== 'GET' && method !== 'HEAD')) {
    shared[400] = [...(shared[400] ?? []), 'CTI_ERR_INVALID_JSON']
    shared[413] = ['CTI_ERR_TOO_LARGE']
    shared[415] = ['CTI_ERR_UNSUPPORTED_MEDIA']
  }
  // A WebSocket refuses a bad token by its close code (4401), not with a 401.
  if (security(url).length > 0 && !upgrades) shared[401] = ['CTI_ERR_UNAUTHORIZED']
  return shared
}

function codesOf(response: unknown): string[] {
  const codes = (response as { properties?: { error?: { enum?: unknown } } }).properties?.error?.enum
  return Array.isArray(codes) ? (codes as string[]) : []
}

/**
 * A route's schema as the description shows it: its tag from the path, who
 * may call it, and every error answer (its own and the shared ones) merged
 * per status. The route's own schema, which validates requests, is not changed.
 */
export function describeRoute(schema: RouteSchema, url: string, route: Pick<RouteOptions, 'method'> & { wsHandler?: unknown }): RouteSchema {
  const method = String(route.method)
  const response = { ...(schema.response ?? {}) }
  const own: Record<number, string[]> = {}
  for (const [status, body] of Object.entries(response)) {
    if (codesOf(body).length > 0) own[Number(status)] = codesOf(body)
  }
  for (const [status, codes] of Object.entries(mergeCodes([sharedErrors(schema, url, method, Boolean(route.wsHandler)), own]))) {
    // A status the route answers with a body of its own (a 422 import report, a 503 readiness) keeps it.
    if (response[status] === undefined || codesOf(response[status]).length > 0) response[status] = errorBody(codes)
  }
  return {
    ...schema,
    tags: schema.tags ?? [tagOf(url)],
    security: security(url),
    response,
    // @fastify/websocket hides the routes it upgrades; the agents' socket is part of the API all the same.
    hide: route.wsHandler ? false : schema.hide
  }
}

const TAGS: Record<string, string> = { route: 'routing', interactions: 'routing', health: 'health', ready: 'health', callbacks: 'asterisk', 'demo-data': 'demo', agent: 'agent page' }

function tagOf(url: string): string {
  const [first, second] = url.split('/').filter(Boolean)
  const part = first === 'v1' ? (second ?? 'v1') : (first ?? 'root')
  return TAGS[part] ?? part
}
