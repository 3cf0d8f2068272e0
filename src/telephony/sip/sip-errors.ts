import { CtiError } from '../../errors.js'

/** Coded errors of the SIP side's call control, with the HTTP status a request that needed it answers. */
export const SipErrors = {
  notHeld: (callId: string) => new CtiError('CTI_ERR_SIP_CALL_NOT_HELD', `call ${callId} is not a talking call this server is in the path of (answered through drachtio in path); nothing was changed`, 404, 481),
  notTheirs: (callId: string, agentId: string, talking: string) =>
    new CtiError('CTI_ERR_SIP_NOT_THE_AGENT', `call ${callId} is talking to ${talking}, not ${agentId}; only its agent hands it on`, 409, 403),
  transferUnderWay: (callId: string, toAgentId: string) =>
    new CtiError('CTI_ERR_SIP_TRANSFER_UNDER_WAY', `call ${callId} is being transferred to ${toAgentId} already; wait for that to end`, 409, 491),
  noAddress: (agentId: string) => new CtiError('CTI_ERR_SIP_NO_ADDRESS', `agent "${agentId}" has no SIP URI or extension to ring; set one in the CRM`, 422, 404),
  noTrunk: () => new CtiError('CTI_ERR_SIP_NO_TRUNK', 'call-backs over SIP need an outbound trunk: set SIP_OUTBOUND_TRUNK (host[:port])', 503, 503),
  noPhone: (phone: string) => new CtiError('CTI_ERR_SIP_NO_PHONE', `"${phone}" is not a number the trunk can dial; give it in international form, e.g. +79161234567`, 422, 484),
  agentNotFree: (agentId: string, reason: string) => new CtiError('CTI_ERR_SIP_AGENT_NOT_FREE', `agent "${agentId}" cannot take a call-back now: ${reason}`, 409, 480),
  notConnected: () => new CtiError('CTI_ERR_SIP_NOT_CONNECTED', 'drachtio-server is not connected right now; retry shortly', 503, 503),
  inviteNotSent: (agentId: string) => new CtiError('CTI_ERR_SIP_INVITE_NOT_SENT', `drachtio-server did not send the INVITE to agent "${agentId}"; check its logs and retry`, 502, 500)
} as const
