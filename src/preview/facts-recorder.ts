/**
 * Keeps the facts each routed call's first decision read (customer summary, line, time, kind,
 * channel, rules version) and what it decided, for replaying it later through edited rules.
 * Listens to the InteractionRouter's 'routed' events; rows are batched off the call path.
 */
import { sql, type Kysely } from 'kysely'
import type { Database } from '../crm/schema.js'
import type { InteractionEvent } from '../interactions/interaction-router.js'
import type { RuleSet } from '../routing/types.js'
import { summarize, type CallFacts } from './types.js'

type Routed = Extract<InteractionEvent, { type: 'routed' }>

/** The facts of a 'routed' event; `rules` is the set in force (to tell a rules-file line from a database one). */
export function factsOf(event: Routed, rules: RuleSet | null): CallFacts {
  const { routed, request } = event
  const rule = routed.decision.rule
  const line = routed.line
  return {
    callId: event.callId,
    at: request.at,
    version: routed.rulesVersion,
    kind: request.kind,
    channel: request.channel,
    caller: routed.caller.phone.ok ? routed.caller.phone.e164 : null,
    dialed: request.dialed,
    product: null,
    customer: routed.caller.customer,
    line,
    lineFromRules: line !== null && rules !== null && rules.lines.get(line.number) === line,
    named: rule !== null && rule.startsWith('requested agent '),
    decided: summarize(routed.decision)
  }
}

export async function insertCallFacts(db: Kysely<Database>, facts: readonly CallFacts[]): Promise<void> {
  if (facts.length === 0) return
  const bodies = facts.map((f) => {
    const { callId, at, version, ...rest } = f
    return JSON.stringify(rest)
  })
  // One array per column: a batch of any size is the same statement text, parsed and planned once.
  await sql`insert into call_facts (call_id, at, rules_version, facts)
    select * from unnest(${facts.map((f) => f.callId)}::text[], ${facts.map((f) => new Date(f.at))}::timestamptz[],
      ${facts.map((f) => (f.version === '' ? null : f.version))}::text[], ${bodies}::json[])
    on conflict (call_id) do nothing`.execute(db)
}
