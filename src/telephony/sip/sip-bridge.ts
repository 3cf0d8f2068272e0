import type { Logger } from 'pino'
import type { SrfDialog, SrfRequest, SrfResponse } from './drachtio.js'
import type { RingingLeg } from './ring-leg.js'

/** A transfer under way on a bridge: the target ringing, and who it is. */
export interface PendingTransfer {
  toAgentId: string
  leg: RingingLeg | null
}

/**
 * A talking call this server is in the path of: the party's leg (the caller, or the customer of
 * a call-back) and the agent's leg. The agent's leg can change (a transfer) or be empty for a
 * while (the target rings, or did not answer and the party is held here); the party's leg stays
 * for the whole call. Either side's BYE ends the call, except the BYE of an agent the call has
 * already left. `end` records the end once.
 */
export class SipBridge {
  ended = false
  transfer: PendingTransfer | null = null
  /** The REFER (from the agent's phone) whose subscription wants the transfer's NOTIFYs. */
  refer: { dialog: SrfDialog } | null = null
  /** Who the party is, shown to each agent the call is handed to. */
  partyShown: { number: string | null; name: string | null } = { number: null, name: null }
  /** Told of a REFER on the agent's leg. */
  onRefer: ((bridge: SipBridge, req: SrfRequest, res: SrfResponse) => void) | null = null

  constructor(
    readonly callId: string,
    readonly party: SrfDialog,
    public agentId: string,
    public agentLeg: SrfDialog | null,
    readonly log: Logger,
    /** Where agents known by extension only are rung (the PBX the call came from). */
    readonly pbxHost: string,
    private readonly end: (cause: string) => void
  ) {}

  /** Starts watching both legs; a BYE that came in the same read as the answer ends the call at once. */
  start(): void {
    this.party.on('destroy', () => this.hungUp('party'))
    if (this.agentLeg) this.watch(this.agentLeg)
    if (!this.party.connected) this.hungUp('party')
    else if (this.agentLeg && !this.agentLeg.connected) this.hungUp('agent')
  }

  /** The call leaves its agent (a blind transfer starts): BYE to their leg, which no longer ends the call. */
  releaseAgent(): void {
    const leg = this.agentLeg
    this.agentLeg = null
    if (leg?.connected) void leg.destroy().catch((err: unknown) => this.log.warn({ err }, 'BYE to the transferring agent failed'))
  }

  /** The call's new agent. */
  connect(agentId: string, leg: SrfDialog): void {
    this.agentId = agentId
    this.agentLeg = leg
    this.watch(leg)
    if (!leg.connected) this.hungUp('agent')
  }

  /** The connection to drachtio-server went: nothing can be sent; the pending target is forgotten. */
  lost(): void {
    if (this.ended) return
    this.ended = true
    this.transfer?.leg?.lost()
    this.transfer = null
    this.end('drachtio connection lost')
  }

  private watch(leg: SrfDialog): void {
    leg.on('destroy', () => {
      if (leg === this.agentLeg) this.hungUp('agent')
    })
    leg.on('refer', (req, res) => {
      if (leg !== this.agentLeg || !this.onRefer) return res.send(603, 'Decline')
      this.onRefer(this, req, res)
    })
  }

  private hungUp(by: 'party' | 'agent'): void {
    if (this.ended) return
    this.ended = true
    this.log.info({ agentId: this.agentId, by }, 'call ended')
    const others = by === 'party' ? [this.agentLeg] : [this.party]
    for (const other of others) if (other?.connected) void other.destroy().catch((err: unknown) => this.log.warn({ err, by }, 'BYE to the other side failed'))
    // A target still ringing is not wanted any more.
    this.transfer?.leg?.cancel()
    this.transfer = null
    this.end(by === 'party' ? 'caller hung up' : 'agent hung up')
  }
}
