import type { OfferFailure } from '../routing/call-router.js'

/**
 * What the telephony in use can do to a live call on an agent's behalf: hand it to a colleague
 * (a blind transfer) and call a customer back from the agent's page. Asterisk implements it with
 * Redirect and Originate, drachtio in path with a new leg to the target (and a REFER from the
 * agent's phone taken as the same transfer), and the HTTP telephony with a webhook to the PBX. The workplace (`/v1/me/…`) talks only to this.
 */
export interface CallControl {
  /** Which telephony answers, for logs and answers. */
  readonly kind: 'ami' | 'sip' | 'http'
  /** Whether this telephony holds the live call (a call it never saw cannot be moved by it). */
  holds(callId: string): boolean
  /**
   * Moves the caller of an answered call from `fromAgentId` to `toAgentId`'s device. Resolves once
   * the move is under way (the first agent's leg is released and the target rings), not when the
   * target answers; the outcome comes back through `TransferEvents`. Rejects with a coded error
   * (the call stays where it was) when the telephony refuses the move.
   */
  transfer(request: TransferRequest, events: TransferEvents): Promise<void>
  /**
   * Calls a customer back for an agent: the agent's device rings first, then the customer's
   * number. Resolves with the new call's id once the agent's leg is placed; the call is then
   * recorded as outbound like any other and reports answered and ended through the usual paths.
   */
  callBack(request: AgentCallBack): Promise<{ callId: string }>
}

export interface TransferRequest {
  callId: string
  fromAgentId: string
  toAgentId: string
  /** How long the target may ring before the transfer counts as failed. */
  ringSeconds: number
}

/** How the telephony tells the workplace what became of a transfer. Each is called at most once. */
export interface TransferEvents {
  /** The target picked up: from now on the call is theirs. */
  answered(at: number): void
  /**
   * The target did not take it (ring time, busy, unreachable). The caller is still on the line,
   * held by the telephony, and the call is not lost: the workplace sends it back to the first
   * agent or into a queue, by another `transfer` or by the telephony's queue hold.
   */
  failed(why: OfferFailure, at: number): void
}

export interface AgentCallBack {
  agentId: string
  /** The customer's number in E.164. */
  phone: string
  /** The customer or lead the call is for, so that their card is the call's card. */
  customerId: string | null
  leadId: string | null
  /** The task the call-back comes from, if any: it is linked to the call. */
  taskId: string | null
}
