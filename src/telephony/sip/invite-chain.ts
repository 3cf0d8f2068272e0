import type { CallOutcome } from '../../calls/call-record.js'
import type { Srf } from './drachtio.js'
import type { SipSettings } from './settings.js'
import type { CallLifecycle, Refusal, SipCall, UnroutedCallRecorder } from './sip-call.js'

/** What every step may use. */
export interface InviteDeps {
  settings: SipSettings
  lifecycle: CallLifecycle
  unrouted: UnroutedCallRecorder
  srf: Srf
  now: () => number
}

/**
 * One decision about an INVITE. A step learns something into the call, or
 * refuses it (the chain then answers with the refusal's status, logs one
 * line and records the call), or — the last one — carries the call on.
 */
export interface InviteStep {
  name: string
  run(call: SipCall, deps: InviteDeps): Promise<Refusal | void> | Refusal | void
}

/** Runs the steps in order until one refuses or the caller cancels. Never throws. */
export async function runInviteChain(steps: readonly InviteStep[], call: SipCall, deps: InviteDeps): Promise<void> {
  for (const step of steps) {
    if (call.cancelled || call.answered) return
    let refusal: Refusal | void
    try {
      refusal = await step.run(call, deps)
    } catch (err) {
      call.log.error({ err, step: step.name }, 'INVITE step failed')
      refusal = { status: 500, outcome: 'failed', why: `${step.name} failed` }
    }
    if (call.cancelled) return
    if (refusal) {
      call.respond(refusal.status, refusal.headers, refusal.reason)
      call.log.info({ step: step.name, status: refusal.status, why: refusal.why, outcome: refusal.outcome }, 'call answered without an agent')
      endCall(call, deps, refusal.outcome, refusal.why)
      return
    }
  }
}

/**
 * Records the end of a call once: through the lifecycle when it was routed,
 * as an unrouted call when it never got that far.
 */
export function endCall(call: SipCall, deps: InviteDeps, outcome: CallOutcome | undefined, cause: string): void {
  if (call.endRecorded) return
  call.endRecorded = true
  if (call.routed) {
    deps.lifecycle.ended(call.callId, { outcome, cause })
    return
  }
  deps.unrouted.recordUnrouted({
    callId: call.callId,
    channel: 'sip',
    direction: 'inbound',
    caller: call.caller?.number ?? null,
    callerName: call.caller?.name ?? null,
    dialed: call.dialed,
    outcome: outcome ?? 'rejected',
    reason: cause,
    at: call.arrivedAt
  })
}
