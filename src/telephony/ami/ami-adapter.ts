import type { Logger } from 'pino'
import type { Agent } from '../../crm/agent.repository.js'
import type { AgentIndex } from '../../routing/agent-index.js'
import { AgentDirectory } from './agent-directory.js'
import type { TransferEvents, TransferRequest } from '../../interactions/call-control.js'
import { AmiClient } from './ami-client.js'
import { AmiErrors } from './ami-errors.js'
import { field, type AmiMessage } from './ami-message.js'
import { DEFAULT_ANNOUNCE_SECONDS } from './call-moves.js'
import { CallBacks, type CallBackRequest, type PlacedCallBack } from './call-backs.js'
import { DeviceStates } from './device-states.js'
import { InboundCalls, type CallLifecycle, type DialplanContexts } from './inbound-calls.js'
import { listChannels, resync } from './resync.js'

/** Events the call followers read (state events go to DeviceStates first). */
const FOLLOWED = new Set(['UserEvent', 'DialBegin', 'DialEnd', 'BridgeEnter', 'Hangup', 'OriginateResponse'])

/** What the AMI adapter needs to know of Asterisk and the dialplan. */
export interface AmiSettings {
  host: string
  port: number
  user: string
  secret: string
  contexts: DialplanContexts
  outboundContext: string
  actionTimeoutMs: number
  reconnectMaxMs: number
  wrapUpSeconds: number
  /** Seconds between checks of the channels Asterisk has (CoreShowChannels) for calls whose Hangup was lost; 0 turns them off. */
  reconcileSeconds?: number
  /** Seconds between announcements to a caller waiting in a queue, unless the queue's settings say (AMI_ANNOUNCE_SECONDS). */
  announceSeconds?: number
}

export interface AmiAdapterOptions {
  settings: AmiSettings
  lifecycle: CallLifecycle
  index: AgentIndex
  /** The CRM's agents, read at every (re)connection for their extensions. */
  loadAgents: () => Promise<Agent[]>
  logger: Logger
  now: () => number
  /** Told at every login after the first (for the reconnects metric). */
  onReconnected?: () => void
  /** The queue's own announcement interval (its settings in the rules), when it has one. */
  queueAnnounceSeconds?: (queue: string) => number | undefined
}

/**
 * Asterisk through the Manager Interface: one connection (AmiClient), re-synced
 * after every login, its events fanned out to agents' device states, inbound
 * calls and call-backs.
 */
export class AmiAdapter {
  readonly directory = new AgentDirectory()
  private readonly client: AmiClient
  private readonly devices: DeviceStates
  private readonly inbound: InboundCalls
  private readonly callBacks: CallBacks
  private synced = false
  private readonly ignored = new Set<string>()
  private syncing: Promise<void> = Promise.resolve()
  private checkTimer: NodeJS.Timeout | undefined
  private checking: Promise<void> | null = null

  constructor(private readonly options: AmiAdapterOptions) {
    const { settings, lifecycle, logger } = options
    this.client = new AmiClient({ ...settings, logger })
    const send = (fields: Record<string, string>) => this.client.action(fields)
    this.devices = new DeviceStates({ index: options.index, directory: this.directory, logger, now: options.now, wrapUpSeconds: settings.wrapUpSeconds })
    const announceSeconds = (queue: string) => options.queueAnnounceSeconds?.(queue) ?? settings.announceSeconds ?? DEFAULT_ANNOUNCE_SECONDS
    const channels = () => listChannels(this.client, logger)
    this.inbound = new InboundCalls({ lifecycle, directory: this.directory, send, contexts: settings.contexts, logger, now: options.now, announceSeconds, channels })
    const mark = () => this.inbound.mark()
    this.callBacks = new CallBacks({ lifecycle, directory: this.directory, send, agentsContext: settings.contexts.agents, outboundContext: settings.outboundContext, logger, mark })
    this.client.onEvent((event) => {
      this.inbound.touch(event)
      if (this.devices.handle(event)) return
      const name = field(event, 'event')
      if (name === undefined) {
        logger.info({ keys: Object.keys(event).slice(0, 8) }, 'AMI event without a name; ignored')
        return
      }
      if (!FOLLOWED.has(name)) {
        // Asterisk sends many event types this adapter has no use for: say so once per type.
        if (!this.ignored.has(name)) logger.debug({ event: name }, 'AMI event type not followed; ignored from now on')
        this.ignored.add(name)
        return
      }
      this.inbound.handle(event)
      this.callBacks.handle(event)
    })
    let logins = 0
    this.client.onConnected(() => {
      if (logins++ > 0) options.onReconnected?.()
      this.synced = false
      this.syncing = this.resync()
    })
  }

  start(): void {
    this.client.start()
    const seconds = this.options.settings.reconcileSeconds ?? 0
    if (seconds > 0) {
      this.checkTimer = setInterval(() => void this.checkChannels(), seconds * 1000)
      this.checkTimer.unref()
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.checkTimer)
    this.client.stop()
    this.devices.close()
    await this.syncing
    await this.checking
    this.inbound.close()
  }

  /** For /ready: logged in and re-synced. */
  async ready(): Promise<{ ok: boolean; detail: string }> {
    if (!this.client.connected) return { ok: false, detail: `not connected to ${this.options.settings.host}:${this.options.settings.port}` }
    if (!this.synced) return { ok: false, detail: 'connected, re-syncing' }
    return { ok: true, detail: `connected, ${this.inbound.inProgress} calls in progress` }
  }

  /** An agent was created or changed in the CRM. */
  agentChanged(agent: Agent): void {
    this.directory.set(agent)
  }

  placeCallBack(request: CallBackRequest): Promise<PlacedCallBack> {
    return this.callBacks.place(request)
  }

  /** A blind transfer of an inbound call (CallControl.transfer); call-backs are refused. */
  transfer(request: TransferRequest, events: TransferEvents): Promise<void> {
    if (!this.client.connected) return Promise.reject(AmiErrors.unavailable())
    if (!this.inbound.holds(request.callId) && this.callBacks.holds(request.callId)) return Promise.reject(AmiErrors.notTransferable(request.callId))
    return this.inbound.transfer(request, events)
  }

  /** Whether a live inbound call or call-back of that id is followed here. */
  holds(callId: string): boolean {
    return this.inbound.holds(callId) || this.callBacks.holds(callId)
  }

  /** Resolves once the re-sync after the latest login is over (tests wait on it). */
  whenSynced(): Promise<void> {
    return this.syncing
  }

  private async resync(): Promise<void> {
    const log = this.options.logger
    try {
      this.directory.load(await this.options.loadAgents())
    } catch (err) {
      log.warn({ err }, 'agents not readable from the CRM; keeping the extensions known so far')
    }
    try {
      const targets = { state: (event: AmiMessage) => this.devices.handle(event), mark: () => this.inbound.mark(), calls: this.inbound.resync.bind(this.inbound) }
      const found = await resync(this.client, targets, log)
      this.synced = true
      log.info({ ...found, agents: this.directory.size }, 'AMI re-synced')
    } catch (err) {
      log.warn({ err }, 'AMI re-sync failed; it runs again at the next connection')
    }
  }

  /**
   * Calls whose Hangup never arrived while the connection stayed up: Asterisk's channel list
   * shows they are gone. One check at a time, and none during a re-sync (which does the same).
   */
  private checkChannels(): Promise<void> {
    if (this.checking || !this.synced || !this.client.connected) return this.checking ?? Promise.resolve()
    const log = this.options.logger
    this.checking = (async () => {
      const asked = this.inbound.mark()
      const channels = await listChannels(this.client, log)
      const ended = this.inbound.reconcile(channels, asked) + this.callBacks.reconcile(channels, asked)
      if (ended > 0) log.warn({ ended, channels: channels.length }, 'channel check ended calls whose Hangup never arrived')
    })()
      .catch((err: unknown) => log.warn({ err }, 'channel check failed; it runs again at the next interval'))
      .finally(() => (this.checking = null))
    return this.checking
  }
}
