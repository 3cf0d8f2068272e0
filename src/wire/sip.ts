import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { OverloadGuard, type ShedCause } from '../telephony/sip/invite-shedding.js'
import { sipSettings } from '../telephony/sip/settings.js'
import { SipAdapter, type SipAdapterOptions } from '../telephony/sip/sip-adapter.js'
import { StartupError } from './startup-error.js'

/** Calls over SIP through drachtio-server; null when SIP_DRACHTIO_HOST is not set. Started by the root once rules are loaded. */
export function wireSip(o: {
  config: Config
  logger: Logger
  now: () => number
  lifecycle: SipAdapterOptions['lifecycle']
  unrouted: SipAdapterOptions['unrouted']
  onReconnected: () => void
  /** Told of every INVITE shed under overload (the metrics). */
  onShed?: (cause: ShedCause) => void
  /** The agents, to ring a transfer's target or a call-back's agent (in path). */
  agents: SipAdapterOptions['agents']
  /** A transfer asked by an agent's phone (REFER): handed to the workplace like one from the page. */
  onAgentTransfer?: SipAdapterOptions['onAgentTransfer']
}): SipAdapter | null {
  const { SIP_DRACHTIO_HOST: host, SIP_DRACHTIO_PORT: port, SIP_DRACHTIO_SECRET: secret } = o.config
  if (!host) return null
  // loadConfig refuses a host without a secret; a hand-built config must not slip through.
  if (!secret) throw new StartupError('SIP_DRACHTIO_HOST is set but SIP_DRACHTIO_SECRET is not')
  return new SipAdapter({
    drachtio: { host, port, secret },
    settings: sipSettings(o.config),
    lifecycle: o.lifecycle,
    unrouted: o.unrouted,
    logger: o.logger.child({ component: 'sip' }),
    now: o.now,
    onReconnected: o.onReconnected,
    agents: o.agents,
    outboundTrunk: o.config.SIP_OUTBOUND_TRUNK ?? null,
    onAgentTransfer: o.onAgentTransfer,
    overload: new OverloadGuard({
      maxDeciding: o.config.SIP_MAX_DECIDING,
      maxLagMs: o.config.SIP_MAX_LOOP_LAG_MS,
      retryAfterSeconds: o.config.SIP_OVERLOAD_RETRY_AFTER_SECONDS,
      logger: o.logger.child({ component: 'sip' }),
      now: o.now,
      onShed: o.onShed
    })
  })
}
