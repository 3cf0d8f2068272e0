import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { createSrf, type Srf, type SrfRequest, type SrfResponse } from './drachtio.js'
import { DrachtioConnection, type DrachtioStatus } from './drachtio-connection.js'
import { endCall, endHeldCalls, runInviteChain, type InviteDeps, type InviteStep } from './invite-chain.js'
import { ringInPath } from './in-path-offer.js'
import { followQueue } from './queue-follow.js'
import { answerFinalAction, identifyCaller, limitMessageSize, readDialedNumber, routeCall } from './invite-steps.js'
import { redirectToAgents } from './redirect-offer.js'
import type { SipSettings } from './settings.js'
import type { OverloadGuard } from './invite-shedding.js'
import type { ReferredTransfer } from './agent-refer.js'
import type { SipAgentDirectory } from './sip-agents.js'
import { SipCall, type CallLifecycle, type UnroutedCallRecorder } from './sip-call.js'
import { SipCallControl } from './sip-call-control.js'

export interface SipAdapterOptions {
  drachtio: { host: string; port: number; secret: string }
  settings: SipSettings
  lifecycle: CallLifecycle
  unrouted: UnroutedCallRecorder
  logger: Logger
  now: () => number
  /** Longest pause between reconnection attempts (ms); tests shorten it. */
  maxRetryDelayMs?: number
  /** Told at every connection to drachtio-server after the first. */
  onReconnected?: () => void
  /** Sheds INVITEs past capacity (503 with Retry-After); none: every INVITE is taken. */
  overload?: OverloadGuard
  /** The agents (to ring a transfer's target or a call-back's agent); without them, no call control. */
  agents?: SipAgentDirectory
  /** host[:port] call-backs dial customers through (SIP_OUTBOUND_TRUNK); null: no call-backs. */
  outboundTrunk?: string | null
  /** Told of a transfer asked by an agent's phone (REFER); see SipCallControlOptions. */
  onAgentTransfer?: ReferredTransfer
}

/**
 * Calls over SIP: connects to drachtio-server, takes every INVITE through the
 * chain of steps (size → caller → dialed → route → final action → redirect or
 * ring in path) and answers OPTIONS so SBCs can health-check the server.
 * When the connection to drachtio-server is lost, every call it held is
 * ended at once: its agents are released and its records written.
 */
export class SipAdapter {
  private readonly srf: Srf
  private readonly connection: DrachtioConnection
  private readonly steps: readonly InviteStep[]
  private readonly deps: InviteDeps
  /** Transfers and call-backs (in path, with the agents given); null otherwise. */
  readonly callControl: SipCallControl | null

  constructor(private readonly options: SipAdapterOptions) {
    this.srf = createSrf()
    const logger = options.logger
    this.connection = new DrachtioConnection({
      srf: this.srf,
      ...options.drachtio,
      logger,
      maxRetryDelayMs: options.maxRetryDelayMs,
      onReconnected: options.onReconnected,
      onLost: () => this.connectionLost()
    })
    const offer = options.settings.mode === 'redirect' ? redirectToAgents : ringInPath
    options.lifecycle.onEvent?.((event) => followQueue(this.deps, event))
    this.steps = [limitMessageSize, identifyCaller, readDialedNumber, options.overload?.guard(routeCall) ?? routeCall, answerFinalAction, offer]
    this.deps = { settings: options.settings, lifecycle: options.lifecycle, unrouted: options.unrouted, srf: this.srf, now: options.now, held: new Map(), bridges: new Map() }
    this.callControl =
      options.settings.mode === 'in-path' && options.agents
        ? new SipCallControl({
            srf: this.srf,
            deps: this.deps,
            agents: options.agents,
            outboundTrunk: options.outboundTrunk ?? null,
            logger,
            now: options.now,
            connected: () => this.connection.current.state === 'connected',
            onAgentTransfer: options.onAgentTransfer
          })
        : null
  }

  get status(): Readonly<DrachtioStatus> {
    return this.connection.current
  }

  start(): void {
    this.srf.invite((req, res) => this.invite(req, res))
    this.srf.options((req, res) => this.answerOptions(req, res))
    this.connection.start()
    this.options.logger.info({ mode: this.options.settings.mode }, 'SIP adapter started')
  }

  stop(): void {
    this.options.overload?.close()
    this.connection.stop()
  }

  /** For /ready: up when drachtio-server accepted us. */
  async readiness(): Promise<{ ok: boolean; detail: string }> {
    const { state, hostport, lastError } = this.connection.current
    if (state === 'connected') return { ok: true, detail: `connected to drachtio-server (${hostport ?? 'no SIP address'})` }
    return { ok: false, detail: `drachtio-server ${state}${lastError ? `: ${lastError}` : ''}` }
  }

  private invite(req: SrfRequest, res: SrfResponse): void {
    const callId = safeCallId(req.get('Call-ID'))
    const call = new SipCall(callId, req, res, this.options.logger.child({ callId }), this.options.now())
    this.deps.held.set(callId, call)
    req.on('cancel', () => this.cancelled(call))
    call.log.debug({ uri: req.uri, from: req.get('From') }, 'INVITE received')
    runInviteChain(this.steps, call, this.deps).catch((err: unknown) => {
      // runInviteChain does not throw; this is the last guard so nothing escapes a handler.
      call.log.error({ err }, 'INVITE handling failed')
      call.respond(500)
    })
  }

  private connectionLost(): void {
    this.callControl?.connectionLost()
    const ended = endHeldCalls(this.deps)
    if (ended > 0) this.options.logger.warn({ calls: ended }, 'calls in progress ended: connection to drachtio-server lost')
  }

  private cancelled(call: SipCall): void {
    if (call.lost) return
    call.cancelled = true
    call.log.info('caller cancelled')
    call.respond(487)
    call.onCancel?.()
    // While the core decides, the routing step ends the call once it knows what was reserved.
    if (!call.routing) endCall(call, this.deps, 'abandoned', 'caller cancelled')
  }

  private answerOptions(req: SrfRequest, res: SrfResponse): void {
    try {
      res.send(200, { headers: { Allow: 'INVITE, ACK, CANCEL, BYE, OPTIONS', Accept: 'application/sdp' } })
    } catch (err) {
      this.options.logger.warn({ err, from: req.get('From') }, 'OPTIONS not answered')
    }
  }
}

/** Call-IDs become record keys and log fields: bounded, and never missing. */
function safeCallId(value: string | undefined): string {
  const trimmed = value?.trim()
  if (!trimmed) return `sip-${randomUUID()}`
  return trimmed.length > 200 ? trimmed.slice(0, 200) : trimmed
}
