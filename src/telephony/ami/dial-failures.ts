import type { OfferFailure } from '../../routing/call-router.js'

/** Dial()'s DIALSTATUS values that mean the agent did not take the call, and how. */
export const DIAL_FAILURES: Record<string, OfferFailure> = {
  NOANSWER: 'ring-timeout',
  BUSY: 'busy',
  CONGESTION: 'unreachable',
  CHANUNAVAIL: 'unreachable',
  INVALIDARGS: 'unreachable',
  DONTCALL: 'declined',
  TORTURE: 'declined'
}
