import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import { CtiError } from '../errors.js'
import { agentPageFiles } from './agent-page.routes.js'
import { errorResponses } from './error-responses.js'
import { textAnswer } from './operations-schemas.js'

// The board only talks to this server (fetch and the WebSocket) and runs no inline code.
const CONTENT_SECURITY_POLICY = ["default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'", "form-action 'self'", "base-uri 'none'"].join('; ')

const FileParams = Type.Object({ file: Type.String({ maxLength: 128, description: 'a file of the wallboard, e.g. wallboard.js' }) })

/** The wallboard's folder: src/wallboard/page beside this module's folder, from src/ or from the compiled dist/. */
export function findWallboardDir(): string | null {
  const candidates = ['../wallboard/page/', '../../src/wallboard/page/'].map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  return candidates.find((dir) => existsSync(join(dir, 'wallboard.html'))) ?? null
}

/**
 * The supervisor's wallboard: `GET /wallboard`, and under `/wallboard/` its stylesheet and
 * ES modules, served as they are (no build step). The page asks for the supervisor's token;
 * the data comes over /v1/wallboard/socket.
 */
export async function wallboardPageRoutes(fastify: FastifyInstance, options: { dir?: string }): Promise<void> {
  const found = options.dir ?? findWallboardDir()
  if (!found) {
    // An install without the page's files still serves everything else; the page says what is missing.
    fastify.log.warn("the wallboard's files (wallboard.html, wallboard.js) are not in src/wallboard/page or dist/wallboard/page: /wallboard answers 404")
  }
  const dir = found ?? ''
  const files = found ? agentPageFiles(found) : new Map<string, string>()

  const send = async (reply: FastifyReply, name: string) =>
    reply
      .header('content-type', files.get(name)!)
      .header('cache-control', 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .send(await readFile(join(dir, name)))

  const pageSchema = { summary: "The supervisor's wallboard (it asks for a supervisor's token)", response: { 200: textAnswer('the page', 'text/html'), ...errorResponses({ 404: ['CTI_ERR_NOT_FOUND'] }) } }
  const fileSchema = {
    summary: "One of the wallboard's files: its stylesheet and ES modules, served as they are",
    params: FileParams,
    response: { 200: textAnswer('the file', 'text/css', 'text/javascript', 'text/html'), ...errorResponses({ 404: ['CTI_ERR_NOT_FOUND'] }) }
  }
  fastify.get('/wallboard', { schema: pageSchema }, async (_request, reply) => {
    if (!files.has('wallboard.html')) {
      throw new CtiError('CTI_ERR_NOT_FOUND', "the wallboard's files are not installed beside the server: copy src/wallboard/page to dist/wallboard/page", 404, 404)
    }
    return send(reply, 'wallboard.html')
  })
  fastify.get('/wallboard/:file', { schema: fileSchema }, async (request: FastifyRequest<{ Params: { file: string } }>, reply) => {
    const name = request.params.file
    if (!files.has(name)) return reply.callNotFound()
    return send(reply, name)
  })
}
