import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply } from 'fastify'

export interface AgentPageRoutesOptions {
  /** The folder holding agent.html, agent.css and agent.js; found by itself when absent. */
  dir?: string
}

/** The files served, and nothing else: no path from the URL ever reaches the file system. */
const FILES = {
  'agent.html': 'text/html; charset=utf-8',
  'agent.css': 'text/css; charset=utf-8',
  'agent.js': 'text/javascript; charset=utf-8'
} as const

// The page only talks to this server (fetch and the WebSocket) and runs no inline code.
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'"
].join('; ')

/**
 * Where the page's files are: next to this module's folder when run from
 * `src/` (`src/screenpop/page`), or from the compiled `dist/`, either a copy
 * in `dist/screenpop/page` or the sources in `src/screenpop/page` beside it.
 */
export function findAgentPageDir(): string | null {
  const candidates = ['../screenpop/page/', '../../src/screenpop/page/'].map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  return candidates.find((dir) => existsSync(join(dir, 'agent.html'))) ?? null
}

/**
 * The agent's page: `GET /agent` and its stylesheet and script under
 * `/agent/`. Plain files read from disk on each request (they are small), so
 * an edited page shows on reload without a build step or a restart.
 */
export async function agentPageRoutes(fastify: FastifyInstance, options: AgentPageRoutesOptions): Promise<void> {
  const dir = options.dir ?? findAgentPageDir()
  if (!dir || !existsSync(join(dir, 'agent.html'))) {
    throw new Error(`agentPageRoutes: the agent page's files (agent.html, agent.css, agent.js) are not in ${dir ?? 'src/screenpop/page or dist/screenpop/page'}`)
  }

  const serve = (name: keyof typeof FILES) => async (_request: unknown, reply: FastifyReply) => {
    const body = await readFile(join(dir, name))
    return reply
      .header('content-type', FILES[name])
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .send(body)
  }

  fastify.get('/agent', serve('agent.html'))
  for (const name of Object.keys(FILES) as (keyof typeof FILES)[]) fastify.get(`/agent/${name}`, serve(name))
}
