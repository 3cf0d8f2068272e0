import type { Logger } from 'pino'
import type { CallRouter } from '../routing/call-router.js'
import { finalReason } from '../routing/reasons.js'
import type { RouteDecision } from '../routing/types.js'

/**
 * Why an answer is not the fully checked one: the CRM could not be asked (the caller was routed as
 * unknown); the store shared with other processes (Redis) was unreachable, so the reservation rests
 * on this process's replica alone; or it did not answer in time, so agents it could not confirm
 * were skipped.
 */
export type DegradedReason = 'crm-unreachable' | 'redis-unreachable' | 'redis-timeout'

/**
 * What the shared store made of a reservation. 'confirmed': it holds it. 'taken': another process
 * holds the agent's last slot. 'degraded': it is unreachable; the reservation is kept on this
 * process's replica and written back when it returns. 'unconfirmed': it did not answer in time;
 * the reservation was withdrawn (released there by call id, in case it did arrive).
 */
export type ReservationOutcome = 'confirmed' | 'taken' | 'degraded' | 'unconfirmed'

/** Agents left unconfirmed in one decision before its final action applies: each costs up to two store timeouts. */
export const MAX_UNCONFIRMED = 2

export interface ConfirmationDeps {
  router: CallRouter
  logger: Logger
  confirmReservation?: (agentId: string, callId: string, ringSeconds: number) => Promise<ReservationOutcome>
}

/**
 * Confirms the decision's first target with the shared store; when taken elsewhere or not confirmed
 * in time, the core offers the next one. After MAX_UNCONFIRMED agents the store could not confirm,
 * the decision's final action applies: a reservation the store has not confirmed is never kept as if
 * it had been. Only while the store is unreachable is one kept, and the reasons then say so.
 */
export async function confirmDecision(deps: ConfirmationDeps, callId: string, decision: RouteDecision): Promise<{ decision: RouteDecision; reasons: DegradedReason[] }> {
  const { confirmReservation: confirm, router, logger } = deps
  const reasons: DegradedReason[] = []
  if (!confirm) return { decision, reasons }
  let unconfirmed = 0
  for (let target = decision.targets[0]; target; target = decision.targets[0]) {
    const agentId = target.agentId
    const outcome = await confirm(agentId, callId, target.ringSeconds)
    if (outcome === 'confirmed') break
    if (outcome === 'degraded') {
      reasons.push('redis-unreachable')
      break
    }
    if (outcome === 'unconfirmed') {
      if (!reasons.includes('redis-timeout')) reasons.push('redis-timeout')
      if (++unconfirmed >= MAX_UNCONFIRMED) {
        logger.warn({ callId, agentId, unconfirmed }, 'reservations not confirmed by Redis in time; the final action applies')
        if (router.withdraw(callId, agentId, 'unconfirmed')) decision = { ...decision, targets: [], reason: finalReason(decision.final, 'agent states not confirmed in time') }
        break
      }
      logger.warn({ callId, agentId }, 'reservation not confirmed by Redis in time; offering the next')
    } else {
      logger.info({ callId, agentId }, 'agent taken by another process; offering the next')
    }
    const next = router.next(callId, agentId, outcome)
    if (!next) break
    decision = next
  }
  return { decision, reasons }
}

/** The reasons of an answer: the CRM's first, then the shared store's. */
export function withCrm(crmUnreachable: boolean, reasons: DegradedReason[]): DegradedReason[] {
  return crmUnreachable ? ['crm-unreachable', ...reasons] : reasons
}
