import type { Config } from '../../config.js'

/** What the SIP adapter is told by the configuration. */
export interface SipSettings {
  mode: 'redirect' | 'in-path'
  /** A header to read the dialed number from before the Request-URI (e.g. Diversion), or null. */
  dialedHeader: string | null
  /** The status when nobody can take a call: 480 Temporarily Unavailable or 486 Busy Here. */
  noAgentStatus: 480 | 486
  /** Retry-After on 480/486, in seconds; 0 leaves the header out. */
  retryAfterSeconds: number
  /** Where voicemail decisions send the call, or null to answer them like "no agent". */
  voicemailUri: string | null
  /** host[:port] for agents known by extension only; null: the address the INVITE came from. */
  extensionHost: string | null
  /** INVITEs larger than this (bytes) are refused with 513. */
  maxMessageBytes: number
  /** In path: seconds between 182 Queued sent to a waiting caller (each carries the position). */
  queueRefreshSeconds: number
  /** In redirect mode: where a call that must wait is sent (302), or null to answer it like "no agent". */
  queueParkUri: string | null
}

/** Largest INVITE taken: generous for SDP with many codecs, far below what would hurt. */
export const MAX_INVITE_BYTES = 16 * 1024

export function sipSettings(config: Config): SipSettings {
  return {
    mode: config.SIP_MODE,
    dialedHeader: config.SIP_DIALED_HEADER ?? null,
    noAgentStatus: config.SIP_NO_AGENT_STATUS,
    retryAfterSeconds: config.SIP_RETRY_AFTER_SECONDS,
    voicemailUri: config.SIP_VOICEMAIL_URI ?? null,
    extensionHost: config.SIP_EXTENSION_HOST ?? null,
    maxMessageBytes: MAX_INVITE_BYTES,
    queueRefreshSeconds: config.SIP_QUEUE_REFRESH_SECONDS,
    queueParkUri: config.SIP_QUEUE_PARK_URI ?? null
  }
}
