import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { textAnswer } from './operations-schemas.js'

/**
 * The widget's script is these files, in this order, in one function scope: each declares what
 * the next ones use, and nothing leaks into the site's page. No build step: they are joined as they are.
 */
export const WIDGET_SCRIPT_FILES = ['i18n.js', 'widget-dom.js', 'widget-api.js', 'widget-socket.js', 'widget-conversation.js', 'widget-forms.js', 'widget.js']

/** Sites cache the widget a few minutes; a changed widget reaches them by then, or at once on revalidation (ETag). */
const CACHE_CONTROL = 'public, max-age=300, must-revalidate'

/** The widget's folder: src/chat/widget beside this module's folder, from src/ or from the compiled dist/. */
export function findWidgetDir(): string | null {
  const candidates = ['../chat/widget/', '../../src/chat/widget/'].map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  return candidates.find((dir) => existsSync(join(dir, 'widget.js'))) ?? null
}

interface Served {
  body: string
  etag: string
  type: string
}

function served(body: string, type: string): Served {
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }
}

/** The widget's script: the files joined inside one strict function. */
export function widgetScript(dir: string): string {
  const parts = WIDGET_SCRIPT_FILES.map((name) => `// ${name}\n${readFileSync(join(dir, name), 'utf8')}`)
  return `(function () {\n'use strict';\n${parts.join('\n')}\n})();\n`
}

/**
 * `GET /widget.js` and `GET /widget.css`: what a company's site embeds with
 * `<script src="https://…/widget.js" data-site="…">`. Read once at start-up; served to any
 * site (the chat's own endpoints check the site's origin), cached briefly, revalidated by ETag.
 */
export async function chatWidgetRoutes(fastify: FastifyInstance, options: { dir?: string }): Promise<void> {
  const dir = options.dir ?? findWidgetDir()
  if (!dir) {
    fastify.log.warn("the chat widget's files are not in src/chat/widget or dist/chat/widget: /widget.js answers 404")
    return
  }
  const files: Record<string, Served> = {
    'widget.js': served(widgetScript(dir), 'text/javascript; charset=utf-8'),
    'widget.css': served(readFileSync(join(dir, 'widget.css'), 'utf8'), 'text/css; charset=utf-8')
  }
  const send = (request: FastifyRequest, reply: FastifyReply, file: Served) => {
    reply
      .header('content-type', file.type)
      .header('cache-control', CACHE_CONTROL)
      .header('etag', file.etag)
      .header('x-content-type-options', 'nosniff')
      // Loaded by other origins' pages, including those that isolate themselves (COEP).
      .header('cross-origin-resource-policy', 'cross-origin')
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send()
    return reply.send(file.body)
  }
  const schema = (summary: string, type: string) => ({ summary, response: { 200: textAnswer('the file', type), 304: { description: 'unchanged since the ETag given in If-None-Match', type: 'null' } } })
  fastify.get('/widget.js', { schema: schema('The chat widget a site embeds: <script src="…/widget.js" data-site="…" data-product="…">', 'text/javascript') }, (request, reply) => send(request, reply, files['widget.js']!))
  fastify.get('/widget.css', { schema: schema("The chat widget's stylesheet, loaded by the widget itself", 'text/css') }, (request, reply) => send(request, reply, files['widget.css']!))
}
