import { createHash } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Kysely } from 'kysely'
import { Type } from 'typebox'
import { claimActionKey, completeActionKey, readActionKey, releaseActionKey } from '../crm/agent-action.repository.js'
import type { Database } from '../crm/schema.js'
import { CtiError } from '../errors.js'

/** What an action answers: its status and body, kept for the requests that repeat its key. */
export interface ActionResult {
  status: number
  body: unknown
}

/** The header every POST of the agent's actions may carry; the page sends one per click. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 128, pattern: '^[!-~]+$', description: 'Any printable ASCII up to 128 characters; the same key from the same agent within 24 h answers the first result again without acting twice' })
  )
})

export const IDEMPOTENCY_ERRORS = { 409: ['CTI_ERR_ACTION_IN_PROGRESS'], 422: ['CTI_ERR_IDEMPOTENCY_KEY_REUSED'] } as const

const IdempotencyErrors = {
  reused: (key: string) =>
    new CtiError('CTI_ERR_IDEMPOTENCY_KEY_REUSED', `the Idempotency-Key "${key}" was already sent with another action or body in the last 24 h; send a new key for a new action`, 422, 500),
  inProgress: (key: string) =>
    new CtiError('CTI_ERR_ACTION_IN_PROGRESS', `the action of Idempotency-Key "${key}" is still running; ask again in a moment with the same key to get its result`, 409, 500)
}

/** How long a repeat waits for the first request of its key to finish (a double click arrives while the first runs). */
const WAIT_FOR_FIRST_MS = 10_000
const POLL_MS = 50

/**
 * Runs an agent's action once per Idempotency-Key: the first request with a key runs it and keeps
 * its answer; a repeat within 24 h (same agent, same key, same route and body) gets that answer
 * again, with `Idempotent-Replayed: true`, and nothing is done twice. A repeat arriving while the
 * first still runs waits for it. An action that fails gives its key back: nothing was done.
 * Without the header the action simply runs.
 */
export function actionsOnce(db: Kysely<Database>, now: () => number) {
  return async function once(request: FastifyRequest, reply: FastifyReply, agentId: string, run: () => Promise<ActionResult>): Promise<FastifyReply> {
    const key = (request.headers as { 'idempotency-key'?: string })['idempotency-key']
    if (key === undefined) return send(reply, await run())
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url.split('?')[0]} ${JSON.stringify(request.body ?? null)}`)
      .digest('hex')
      .slice(0, 32)
    const deadline = Date.now() + WAIT_FOR_FIRST_MS
    for (;;) {
      const claim = await claimActionKey(db, agentId, key, fingerprint, now())
      if (claim.claimed) return send(reply, await runClaimed(request, agentId, key, run))
      if (claim.fingerprint !== fingerprint) throw IdempotencyErrors.reused(key)
      let seen: { status: number | null; response: unknown } | null = claim
      while (seen && seen.status === null && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS))
        seen = await readActionKey(db, agentId, key)
      }
      // The first request failed and gave the key back: this one may act.
      if (!seen) continue
      if (seen.status === null) throw IdempotencyErrors.inProgress(key)
      request.log.info({ agentId, key }, 'agent action repeated with the same Idempotency-Key; the first answer is sent again')
      void reply.header('idempotent-replayed', 'true')
      return send(reply, { status: seen.status, body: seen.response })
    }
  }

  async function runClaimed(request: FastifyRequest, agentId: string, key: string, run: () => Promise<ActionResult>): Promise<ActionResult> {
    let result: ActionResult
    try {
      result = await run()
    } catch (err) {
      await releaseActionKey(db, agentId, key).catch((releaseErr: unknown) => request.log.error({ err: releaseErr, agentId, key }, 'Idempotency-Key of a failed action not released; its repeats answer 409 until it expires'))
      throw err
    }
    // Done is done: a failure to keep the answer must not turn it into an error (a repeat then answers 409).
    await completeActionKey(db, agentId, key, result.status, result.body).catch((err: unknown) => request.log.error({ err, agentId, key }, 'answer of an agent action not kept for its Idempotency-Key'))
    return result
  }
}

function send(reply: FastifyReply, result: ActionResult): FastifyReply {
  return reply.code(result.status).send(result.body)
}
