import { CtiError } from '../../errors.js'

/** Coded errors of the Asterisk side, with the HTTP status a request that needed Asterisk answers. */
export const AmiErrors = {
  unavailable: () => new CtiError('CTI_ERR_AMI_UNAVAILABLE', 'the Asterisk Manager Interface is not connected right now; retry shortly', 503, 503),
  notConfigured: () => new CtiError('CTI_ERR_AMI_NOT_CONFIGURED', 'Asterisk is not configured on this server (set AMI_HOST)', 503, 503),
  timeout: (action: string, ms: number) => new CtiError('CTI_ERR_AMI_TIMEOUT', `Asterisk did not answer the ${action} action within ${ms} ms`, 504, 504),
  refused: (action: string, message: string) => new CtiError('CTI_ERR_AMI_REFUSED', `Asterisk refused the ${action} action: ${message}`, 502, 502, { action, message }),
  noAgent: (reason: string) => new CtiError('CTI_ERR_NO_AGENT', `nobody can take the call-back now: ${reason}`, 409, 480),
  noExtension: (agentId: string) => new CtiError('CTI_ERR_NO_EXTENSION', `agent "${agentId}" has no extension or device to ring; set one in the CRM`, 422, 500),
  noPhone: (what: string) => new CtiError('CTI_ERR_NO_PHONE', `no phone number to call: ${what}`, 422, 484),
  callNotLive: (callId: string) => new CtiError('CTI_ERR_CALL_NOT_LIVE', `Asterisk holds no live call "${callId}": it ended, or it did not come through this server's AMI connection`, 404, 481),
  notAnswered: (callId: string) => new CtiError('CTI_ERR_CALL_NOT_ANSWERED', `call "${callId}" is not answered yet; only a call an agent is talking on can be transferred`, 409, 481),
  notTheirs: (callId: string, agentId: string, talking: string) => new CtiError('CTI_ERR_CALL_NOT_THEIRS', `call "${callId}" is with agent "${talking}", not "${agentId}"`, 409, 481),
  sameAgent: (callId: string, agentId: string) => new CtiError('CTI_ERR_TRANSFER_SAME_AGENT', `call "${callId}" is already with agent "${agentId}"; choose a colleague`, 409, 482),
  transferUnderWay: (callId: string, toAgentId: string) => new CtiError('CTI_ERR_TRANSFER_UNDER_WAY', `call "${callId}" is being transferred to agent "${toAgentId}" already; wait for the answer`, 409, 491),
  notTransferable: (callId: string) => new CtiError('CTI_ERR_CALL_NOT_TRANSFERABLE', `call "${callId}" is a call-back placed through Asterisk; only inbound calls can be transferred through Asterisk`, 409, 488)
} as const
