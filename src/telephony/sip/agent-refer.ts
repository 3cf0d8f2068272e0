import type { Logger } from 'pino'
import type { SrfRequest, SrfResponse } from './drachtio.js'
import { agentAt, type SipAgentDirectory } from './sip-agents.js'
import type { SipBridge } from './sip-bridge.js'
import { endRefer, notifyRefer } from './refer-notify.js'

/** Starts the transfer a REFER asked for: the workplace's hook, or the call control itself when none is wired. */
export type ReferredTransfer = (callId: string, fromAgentId: string, toAgentId: string) => Promise<void> | void

/**
 * A REFER from the agent's phone (its own transfer button, Refer-To: the colleague) on a talking
 * call: taken as the same blind transfer the agent's page asks for. Refer-To must name an agent
 * (by their SIP URI or extension); it is accepted with 202 and followed by NOTIFYs (RFC 3515):
 * 100 Trying at once, 200 OK when the transfer starts (then the phone's leg gets its BYE), or
 * 503 when the workplace refused it, in which case the call stays with the agent. Attended
 * transfers (Refer-To with Replaces) are not taken: 501.
 */
export function takeRefer(agents: SipAgentDirectory, start: ReferredTransfer, log: Logger) {
  return (bridge: SipBridge, req: SrfRequest, res: SrfResponse): void => {
    const referTo = req.get('Refer-To')
    const answer = (status: number, reason: string) => {
      log.info({ callId: bridge.callId, agentId: bridge.agentId, referTo, status }, `REFER refused: ${reason}`)
      res.send(status, reason)
    }
    if (!referTo) return answer(400, 'Missing Refer-To')
    if (/[?&]replaces=/i.test(referTo)) return answer(501, 'Attended Transfer Not Supported')
    const toAgentId = agentAt(agents, referTo, bridge.pbxHost)
    if (!toAgentId) return answer(404, 'No Agent At Refer-To')
    if (toAgentId === bridge.agentId) return answer(403, 'Cannot Transfer To Self')
    if (bridge.transfer) return answer(491, 'Request Pending')
    const leg = bridge.agentLeg!
    const fromAgentId = bridge.agentId
    res.send(202, 'Accepted')
    bridge.refer = { dialog: leg }
    log.info({ callId: bridge.callId, fromAgentId, toAgentId }, "transfer asked by the agent's phone (REFER)")
    void (async () => {
      await notifyRefer(leg, 'SIP/2.0 100 Trying', false, log)
      try {
        await start(bridge.callId, fromAgentId, toAgentId)
      } catch (err) {
        log.info({ err, callId: bridge.callId, toAgentId }, "transfer asked by the agent's phone was refused; the call stays with them")
      }
      // Still open: the transfer did not start (refused, or the workplace chose otherwise).
      if (bridge.refer?.dialog === leg) await endRefer(bridge, 'SIP/2.0 503 Service Unavailable')
    })()
  }
}
