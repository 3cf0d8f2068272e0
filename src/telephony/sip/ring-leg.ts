import type { Logger } from 'pino'
import type { OfferFailure } from '../../routing/call-router.js'
import type { Srf, SrfDialog, SrfLateAnswer, SrfRequest, SrfResponse, SrfSipError } from './drachtio.js'
import { failureOf } from './in-path-offer.js'

/** A new leg to place from here: whom to ring, for how long, and what they see. */
export interface LegOffer {
  uri: string
  headers: Record<string, string>
  callingNumber?: string
  callingName?: string
  ringSeconds: number
  /** The SDP to offer in the INVITE; none: the INVITE goes without SDP and the far end offers in its 200. */
  localSdp?: string
  log: Logger
  /** Told once, at the first 180 or 183. */
  onRinging?: () => void
}

/** A far end that answered: its SDP, to be completed into a dialog or abandoned. */
export interface AnsweredLeg {
  kind: 'answered'
  /** The far end's SDP: its offer (INVITE sent without SDP) or its answer. */
  sdp: string
  /** The dialog; for an INVITE sent without SDP, `answerSdp` goes in the ACK. */
  complete(answerSdp?: string): Promise<SrfDialog>
  /** Gives the leg up (ACK if owed, then BYE); never throws. */
  abandon(): void
}

export type LegResult = AnsweredLeg | { kind: 'failed'; why: OfferFailure; status: number | null } | { kind: 'stopped' }

/** A leg ringing now: its result, and how to stop it (the caller hung up, the connection went). */
export interface RingingLeg {
  result: Promise<LegResult>
  /** Resolves once the INVITE went out (true) or could not be sent (false). */
  sent: Promise<boolean>
  /** CANCELs the INVITE; the result is then 'stopped'. */
  cancel(): void
  /** drachtio-server forgot the transaction with the connection: settles as 'stopped' at once. */
  lost(): void
}

/** Rings one far end from here for `ringSeconds` (then CANCEL: a ring-timeout failure). */
export function ringLeg(srf: Srf, offer: LegOffer): RingingLeg {
  let leg: SrfRequest | null = null
  let timedOut = false
  let stopped = false
  let ringing = false
  let settle!: (result: LegResult) => void
  let sentSettle!: (sent: boolean) => void
  const result = new Promise<LegResult>((resolve) => (settle = resolve))
  const sent = new Promise<boolean>((resolve) => (sentSettle = resolve))
  const cancelLeg = () => leg?.cancel((err) => err && offer.log.debug({ err }, 'CANCEL not sent'))
  const timer = setTimeout(() => {
    timedOut = true
    cancelLeg()
  }, offer.ringSeconds * 1000)
  const progress = {
    cbRequest: (err: Error | null, req: SrfRequest) => {
      sentSettle(!err)
      if (err) return
      leg = req
      if (stopped || timedOut) cancelLeg()
    },
    cbProvisional: (res: SrfResponse) => {
      if (ringing || (res.status !== 180 && res.status !== 183)) return
      ringing = true
      offer.onRinging?.()
    }
  }
  const base = { headers: offer.headers, callingNumber: offer.callingNumber, callingName: offer.callingName }
  const placed: Promise<SrfLateAnswer | SrfDialog> = offer.localSdp ? srf.createUAC(offer.uri, { ...base, localSdp: offer.localSdp }, progress) : srf.createUAC(offer.uri, { ...base, noAck: true }, progress)
  placed.then(
    (answer) => {
      clearTimeout(timer)
      const answered = answeredLeg(answer, offer.log)
      // Answered as we gave up on it (a CANCEL crossing the 200): the leg is not wanted any more.
      if (stopped) answered.abandon()
      settle(stopped ? { kind: 'stopped' } : answered)
    },
    (err: SrfSipError) => {
      clearTimeout(timer)
      sentSettle(false)
      settle(stopped ? { kind: 'stopped' } : { kind: 'failed', why: failureOf(err, timedOut), status: err.status ?? null })
    }
  )
  return {
    result,
    sent,
    cancel() {
      if (stopped) return
      stopped = true
      cancelLeg()
    },
    lost() {
      stopped = true
      clearTimeout(timer)
      sentSettle(false)
      settle({ kind: 'stopped' })
    }
  }
}

function answeredLeg(answer: SrfLateAnswer | SrfDialog, log: Logger): AnsweredLeg {
  const bye = (dialog: SrfDialog) => void dialog.destroy().catch((err: unknown) => log.warn({ err }, 'BYE not sent'))
  // Not "has an ack()": every drachtio-srf Dialog has one too (a method per SIP verb on its
  // prototype), so that test took a leg INVITEd with SDP (the customer's of a call-back) for an
  // unacknowledged 3PCC answer, read no SDP from it and threw on its ack. A Dialog has `remote`.
  if (!isDialog(answer)) {
    const late = answer
    return {
      kind: 'answered',
      sdp: late.sdp,
      complete: (answerSdp) => late.ack(answerSdp ?? ''),
      abandon: () => void late.destroy().catch((err: unknown) => log.warn({ err }, 'answered leg not released'))
    }
  }
  const dialog = answer
  return { kind: 'answered', sdp: dialog.remote.sdp, complete: () => Promise.resolve(dialog), abandon: () => bye(dialog) }
}

function isDialog(answer: SrfLateAnswer | SrfDialog): answer is SrfDialog {
  return 'remote' in answer && typeof answer.remote === 'object' && answer.remote !== null
}
