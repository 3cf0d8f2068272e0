import { existsSync, readdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { errorResponses } from './error-responses.js'
import { textAnswer } from './operations-schemas.js'

export interface AgentPageRoutesOptions {
  /** The folder holding agent.html, agent.css and the page's ES modules; found by itself when absent. */
  dir?: string
}

/** The kinds of file the page is made of; nothing else in its folder is ever served. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8'
}

/** A page file's name: lower-case words joined by `-` or `.`, no path, no hidden file. */
const FILE_NAME = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9-]+)*\.(html|css|js)$/

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

const FileParams = Type.Object({ file: Type.String({ maxLength: 128, description: 'a file of the agent page, e.g. agent.js' }) })

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
 * The page's files, by name: the folder's own HTML, CSS and JavaScript files,
 * listed once at start-up. A URL is only ever a key into this list, so no path
 * from a request reaches the file system.
 */
export function agentPageFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>()
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && FILE_NAME.test(entry.name)) files.set(entry.name, CONTENT_TYPES[extname(entry.name)]!)
  }
  return files
}

/**
 * The agent's page: `GET /agent`, and under `/agent/` its stylesheet and its
 * ES modules, served as they are (no build step). Read from disk on each
 * request (they are small), so an edited file shows on reload without a
 * restart; a new file needs one.
 */
export async function agentPageRoutes(fastify: FastifyInstance, options: AgentPageRoutesOptions): Promise<void> {
  const dir = options.dir ?? findAgentPageDir()
  if (!dir || !existsSync(join(dir, 'agent.html'))) {
    throw new Error(`agentPageRoutes: the agent page's files (agent.html, agent.css, agent.js) are not in ${dir ?? 'src/screenpop/page or dist/screenpop/page'}`)
  }
  const files = agentPageFiles(dir)
  // The language catalogues, one module per feature, in the page's i18n/ folder (listed the same way).
  const catalogueDir = join(dir, 'i18n')
  const catalogues = existsSync(catalogueDir) ? agentPageFiles(catalogueDir) : new Map<string, string>()

  const send = async (reply: FastifyReply, name: string, folder = dir, list = files) => {
    const body = await readFile(join(folder, name))
    return reply
      .header('content-type', list.get(name)!)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .send(body)
  }

  const pageSchema = { summary: "The agent's page (it asks for the agent's token)", response: { 200: textAnswer('the page', 'text/html') } }
  const fileSchema = {
    summary: "One of the page's files: its stylesheet and ES modules, served as they are",
    params: FileParams,
    response: { 200: textAnswer('the file', 'text/css', 'text/javascript', 'text/html'), ...errorResponses({ 404: ['CTI_ERR_NOT_FOUND'] }) }
  }
  fastify.get('/agent', { schema: pageSchema }, async (_request, reply) => send(reply, 'agent.html'))
  fastify.get('/agent/:file', { schema: fileSchema }, async (request: FastifyRequest<{ Params: { file: string } }>, reply) => {
    const name = request.params.file
    if (!files.has(name)) return reply.callNotFound()
    return send(reply, name)
  })
  fastify.get('/agent/i18n/:file', { schema: { ...fileSchema, summary: "One of the page's language catalogues (an ES module per feature)" } }, async (request: FastifyRequest<{ Params: { file: string } }>, reply) => {
    const name = request.params.file
    if (!catalogues.has(name)) return reply.callNotFound()
    return send(reply, name, catalogueDir, catalogues)
  })
}
