import type { CallOutcome } from '../../calls/call-record.js'
import type { Srf } from './drachtio.js'
import type { SipBridge } from './sip-bridge.js'
import type { SipSettings } from './settings.js'
import type { CallLifecycle, Refusal, SipCall, UnroutedCallRecorder } from './sip-call.js'

/** What every step may use. */
export interface InviteDeps {
  settings: SipSettings
  lifecycle: CallLifecycle
  unrouted: UnroutedCallRecorder
  srf: Srf
  now: () => number
  /** The calls held now by Call-ID (from the INVITE until their end is recorded), to end them if the connection is lost. */
  held: Map<string, SipCall>
  /** The talking calls this server is in the path of (in path), by call id: what a transfer moves. */
  bridges: Map<string, SipBridge>
  /** Told of every new bridge (the call control listens for REFERs on it). */
  onBridged?: (bridge: SipBridge) => void
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

/** Runs the steps in order until one refuses, the caller cancels or the connection is lost. Never throws. */
export async function runInviteChain(steps: readonly InviteStep[], call: SipCall, deps: InviteDeps): Promise<void> {
  for (const step of steps) {
    if (call.stopped || call.answered) return
    let refusal: Refusal | void
    try {
      refusal = await step.run(call, deps)
    } catch (err) {
      call.log.error({ err, step: step.name }, 'INVITE step failed')
      refusal = { status: 500, outcome: 'failed', why: `${step.name} failed` }
    }
    if (call.stopped) return
    if (refusal) {
      call.respond(refusal.status, refusal.headers, refusal.reason)
      if (!refusal.logged) call.log.info({ step: step.name, status: refusal.status, why: refusal.why, outcome: refusal.outcome }, 'call answered without an agent')
      endCall(call, deps, refusal.outcome, refusal.why)
      return
    }
  }
}

/** The end cause of calls held when the connection to drachtio-server went. */
export const CONNECTION_LOST = 'drachtio connection lost'

/**
 * The connection to drachtio-server is gone, and with it every transaction and dialog of the calls
 * held: drachtio-server never hands them to a new connection, so they cannot be taken up again.
 * Each is ended now — its agent released (or, if talking, put in wrap-up) and its record written;
 * a call the core is still deciding is ended by the routing step once it knows what was reserved.
 */
export function endHeldCalls(deps: InviteDeps): number {
  const calls = [...deps.held.values()]
  const bridges = [...deps.bridges.values()]
  for (const call of calls) {
    call.lost = true
    call.onLost?.()
    if (!call.routing) endCall(call, deps, call.talking ? 'answered' : 'failed', CONNECTION_LOST)
  }
  // Talking calls not held as INVITEs (call-backs placed from here) end the same way.
  for (const bridge of bridges) bridge.lost()
  deps.bridges.clear()
  const heldIds = new Set(calls.map((c) => c.callId))
  return calls.length + bridges.filter((b) => !heldIds.has(b.callId)).length
}

/**
 * Records the end of a call once: through the lifecycle when it was routed,
 * as an unrouted call when it never got that far.
 */
export function endCall(call: SipCall, deps: InviteDeps, outcome: CallOutcome | undefined, cause: string): void {
  if (call.endRecorded) return
  call.endRecorded = true
  if (deps.held.get(call.callId) === call) deps.held.delete(call.callId)
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
