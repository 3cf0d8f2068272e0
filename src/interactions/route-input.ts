import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { isConnectionError } from '../errors.js'
import type { CallerIdentifier, CallerIdentity } from '../identify/identify-caller.js'
import type { RuleSet } from '../routing/types.js'
import type { RouteRequest } from './interaction-types.js'
import type { LineDirectory } from './line-directory.js'
import { requestedAgentRules } from './requested-agent.js'

export interface RouteInputOptions {
  identifier: CallerIdentifier
  rules: () => RuleSet
  lines: LineDirectory
  logger: Logger
  now: () => number
}

/**
 * What the core decides on for a request: the caller identified (as unknown, with `degraded`, when
 * the CRM cannot be asked), the dialed line, the rules in force (or those of a named agent).
 */
export async function prepareRoute(options: RouteInputOptions, request: RouteRequest) {
  const { identifier, lines, now } = options
  const rules = request.agentId ? requestedAgentRules(options.rules(), request.agentId) : options.rules()
  const callId = request.callId ?? randomUUID()
  let degraded = false
  let caller: CallerIdentity
  try {
    caller = await identifier.identify(request.caller)
  } catch (err) {
    if (!isConnectionError(err)) throw err
    // Route on what we have: an unknown caller still reaches somebody.
    degraded = true
    caller = { phone: identifier.normalize(request.caller), customer: null }
    options.logger.warn({ callId, err }, 'CRM unreachable; routing the caller as unknown')
  }
  const dialed = identifier.normalize(request.dialed)
  const line = lines.find(dialed.ok ? dialed.e164 : null, rules)
  const interaction = {
    id: callId,
    kind: request.kind ?? 'call',
    caller: caller.phone.ok ? caller.phone.e164 : null,
    dialed: dialed.ok ? dialed.e164 : null,
    at: request.at ?? now(),
    channel: request.channel,
    product: request.product ?? null
  }
  return {
    input: { interaction, customer: caller.customer, line, rules },
    result: { callId, caller, line, rulesVersion: rules.version, degraded }
  }
}
