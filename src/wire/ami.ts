import type { Logger } from 'pino'
import type { Config } from '../config.js'
import { listAgents } from '../crm/agent.repository.js'
import type { CrmDatabase } from '../crm/database.js'
import type { AgentIndex } from '../routing/index.js'
import type { RuleSet } from '../routing/types.js'
import { AgentDirectory } from '../telephony/ami/agent-directory.js'
import { AmiAdapter, type AmiAdapterOptions } from '../telephony/ami/ami-adapter.js'
import { AmiCallControl } from '../telephony/ami/ami-call-control.js'
import type { CallBackRequest, PlacedCallBack } from '../telephony/ami/call-backs.js'
import type { CallControl } from '../interactions/call-control.js'
import type { CrmLoader } from './crm.js'

export interface AmiParts {
  /** Asterisk through AMI; null when AMI_HOST is not set. Started by the root once rules are loaded. */
  adapter: AmiAdapter | null
  /** Places a call-back through Asterisk; null without AMI. */
  placeCallBack: ((request: CallBackRequest) => Promise<PlacedCallBack>) | null
  /** The extension Asterisk dials for an agent: the CRM's extension, else the user of their SIP URI (with or without AMI). */
  extensionOf: (agentId: string) => string | null
  /** Transfers and agents' call-backs through Asterisk (Redirect, Originate); null without AMI. */
  callControl: CallControl | null
  /** For /ready: whether AMI is logged in; null without AMI. */
  readiness: (() => Promise<{ ok: boolean; detail: string }>) | null
}

export function wireAmi(o: {
  config: Config
  logger: Logger
  now: () => number
  database: CrmDatabase
  agents: AgentIndex
  crm: CrmLoader
  /** The rules in force: a queue's own `announce every` wins over AMI_ANNOUNCE_SECONDS. */
  rules?: { readonly version: string | null; current(): { ruleSet: RuleSet } }
  lifecycle: AmiAdapterOptions['lifecycle']
  onReconnected: () => void
}): AmiParts {
  const { config: c, agents } = o
  if (!c.AMI_HOST) {
    // The CURL dialplan needs agents' extensions too: the profile's address prefers the SIP URI.
    const directory = new AgentDirectory()
    o.crm.onAgentsLoaded((loaded) => directory.load(loaded))
    o.crm.onAgentChanged((agent) => directory.set(agent))
    return { adapter: null, placeCallBack: null, callControl: null, extensionOf: (agentId) => directory.line(agentId)?.extension ?? null, readiness: null }
  }
  const ami = new AmiAdapter({
    settings: {
      host: c.AMI_HOST,
      port: c.AMI_PORT,
      user: c.AMI_USER ?? '',
      secret: c.AMI_SECRET ?? '',
      contexts: { agents: c.AMI_AGENTS_CONTEXT, wait: c.AMI_WAIT_CONTEXT, final: c.AMI_FINAL_CONTEXT, hold: c.AMI_HOLD_CONTEXT, transfer: c.AMI_TRANSFER_CONTEXT },
      announceSeconds: c.AMI_ANNOUNCE_SECONDS,
      outboundContext: c.AMI_OUTBOUND_CONTEXT,
      actionTimeoutMs: c.AMI_ACTION_TIMEOUT_MS,
      reconnectMaxMs: c.AMI_RECONNECT_MAX_MS,
      wrapUpSeconds: c.WRAP_UP_SECONDS,
      reconcileSeconds: c.AMI_RECONCILE_SECONDS
    },
    lifecycle: o.lifecycle,
    index: agents,
    loadAgents: () => listAgents(o.database.db),
    logger: o.logger.child({ component: 'ami' }),
    now: o.now,
    onReconnected: o.onReconnected,
    queueAnnounceSeconds: (queue) => (o.rules?.version == null ? undefined : o.rules.current().ruleSet.queues?.get(queue)?.announceEverySeconds)
  })
  o.crm.onAgentsLoaded((loaded) => ami.directory.load(loaded))
  o.crm.onAgentChanged((agent) => ami.agentChanged(agent))
  return {
    adapter: ami,
    placeCallBack: (request) => ami.placeCallBack(request),
    callControl: new AmiCallControl(ami),
    extensionOf: (agentId) => ami.directory.line(agentId)?.extension ?? null,
    readiness: () => ami.ready()
  }
}
