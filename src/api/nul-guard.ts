import type { FastifyInstance } from 'fastify'
import { Errors } from '../errors.js'

/**
 * Where the first NUL character is in a parsed request part, as a JSON
 * pointer ("" for the value itself), or null. PostgreSQL refuses U+0000 in
 * text and jsonb, so a NUL that got through would fail the write it reached.
 * Walks with an explicit stack: a body may nest deeper than the call stack.
 */
export function findNul(value: unknown): string | null {
  // Most requests hold no NUL: look first without building paths, then name the field on a hit.
  if (!holdsNul(value)) return null
  const pending: [unknown, string][] = [[value, '']]
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [item, at] = next
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return at
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) pending.push([item[i], `${at}/${i}`])
    } else if (isPlainObject(item)) {
      const keys = Object.keys(item)
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!
        const keyAt = `${at}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`
        if (key.includes('\u0000')) return keyAt
        pending.push([item[key], keyAt])
      }
    }
  }
  return null
}

function holdsNul(value: unknown): boolean {
  const pending: unknown[] = [value]
  while (pending.length > 0) {
    const item = pending.pop()
    if (typeof item === 'string') {
      if (item.includes('\u0000')) return true
    } else if (Array.isArray(item)) {
      for (const element of item) pending.push(element)
    } else if (isPlainObject(item)) {
      for (const key in item) {
        if (key.includes('\u0000')) return true
        pending.push(item[key])
      }
    }
  }
  return false
}

/**
 * Parsed JSON, query strings and path parameters (the last two are built on a
 * prototype-less class, one level up); never a streamed body (a CSV import).
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false
  const proto: unknown = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null
}

const PARTS = ['params', 'query', 'body'] as const
const PART_NAMES = { params: 'params', query: 'querystring', body: 'body' } as const

/**
 * Refuses, with 400 `CTI_ERR_NUL_CHARACTER` naming the field, any request
 * whose path parameters, query string or JSON body holds a NUL anywhere,
 * before validation and before any handler: one guard for every route,
 * those of plugins registered later included (installed on the root).
 */
export function installNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    for (const part of PARTS) {
      const at = findNul(request[part])
      if (at !== null) {
        request.log.info({ part, at }, 'request with a NUL character refused')
        return done(Errors.nulCharacter(at === '' ? PART_NAMES[part] : `${PART_NAMES[part]} ${at}`))
      }
    }
    done()
  })
}
