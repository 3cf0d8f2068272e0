import type { Logger } from 'pino'
import type { AgentIndex } from '../../routing/agent-index.js'
import type { AgentStatus } from '../../routing/types.js'
import type { AgentDirectory } from './agent-directory.js'
import { field, type AmiMessage } from './ami-message.js'

/** What a phone's state means for routing; null when it says nothing (UNKNOWN). */
export type DeviceActivity = 'idle' | 'ringing' | 'busy' | 'unavailable'

const DEVICE_STATES: Record<string, DeviceActivity | null> = {
  UNKNOWN: null,
  NOT_INUSE: 'idle',
  INUSE: 'busy',
  BUSY: 'busy',
  INVALID: 'unavailable',
  UNAVAILABLE: 'unavailable',
  RINGING: 'ringing',
  RINGINUSE: 'busy',
  ONHOLD: 'busy'
}
/** The same states by number, as QueueMemberStatus reports them (ast_device_state). */
const DEVICE_STATE_NUMBERS = ['UNKNOWN', 'NOT_INUSE', 'INUSE', 'BUSY', 'INVALID', 'UNAVAILABLE', 'RINGING', 'RINGINUSE', 'ONHOLD']

/** Extension (hint) states by number (ast_extension_states, a bit set). */
function extensionActivity(status: number): DeviceActivity | null {
  if (status < 0) return null // removed or deleted hint
  if (status === 0) return 'idle'
  if (status & 4) return 'unavailable'
  if (status & 1 || status & 2 || status & 16) return 'busy'
  if (status & 8) return 'ringing'
  return null
}

export interface DeviceStatesOptions {
  index: AgentIndex
  directory: AgentDirectory
  logger: Logger
  now: () => number
  /** Seconds of wrap-up after a call the router did not place (a direct or outgoing call). */
  wrapUpSeconds: number
}

/**
 * Follows agents' phones (DeviceStateChange, ExtensionStatus, QueueMemberStatus,
 * QueueMemberPause) into the agent index. Calls the router placed are already
 * counted by the index (reserved → answered → ended), so a busy or ringing
 * phone is applied only to an agent with no routed call; an idle phone makes
 * available again only an agent whose state this follower set (or who was
 * offline), never one who chose away or is in wrap-up.
 */
export class DeviceStates {
  /** What this follower last set per agent; a different state now means somebody else set it. */
  private readonly applied = new Map<string, AgentStatus>()
  private readonly wrapUps = new Map<string, NodeJS.Timeout>()

  constructor(private readonly options: DeviceStatesOptions) {}

  /** Feeds one event; returns false when it is not a state event. */
  handle(event: AmiMessage): boolean {
    switch (field(event, 'event')) {
      case 'DeviceStateChange':
        this.device(field(event, 'device'), DEVICE_STATES[field(event, 'state') ?? ''], event)
        return true
      case 'ExtensionStatus': {
        const exten = field(event, 'exten')
        const status = Number(field(event, 'status'))
        const agentId = exten === undefined ? undefined : this.options.directory.byExten(exten)
        if (agentId !== undefined && Number.isInteger(status)) this.apply(agentId, extensionActivity(status), `extension ${exten}`)
        return true
      }
      case 'QueueMember':
      case 'QueueMemberStatus': {
        const device = field(event, 'stateinterface') ?? field(event, 'interface')
        const state = DEVICE_STATE_NUMBERS[Number(field(event, 'status'))]
        this.device(device, state === undefined ? null : DEVICE_STATES[state], event)
        this.paused(device, field(event, 'paused'))
        return true
      }
      case 'QueueMemberPause':
        this.paused(field(event, 'stateinterface') ?? field(event, 'interface'), field(event, 'paused'))
        return true
      default:
        return false
    }
  }

  close(): void {
    for (const timer of this.wrapUps.values()) clearTimeout(timer)
    this.wrapUps.clear()
  }

  private device(device: string | undefined, activity: DeviceActivity | null | undefined, event: AmiMessage): void {
    if (device === undefined || activity === undefined) {
      this.options.logger.info({ event: field(event, 'event'), device, state: field(event, 'state') ?? field(event, 'status') }, 'device state event without a usable device or state; ignored')
      return
    }
    const agentId = this.options.directory.byDeviceName(device)
    if (agentId !== undefined) this.apply(agentId, activity, device)
  }

  private paused(device: string | undefined, paused: string | undefined): void {
    const agentId = device === undefined ? undefined : this.options.directory.byDeviceName(device)
    if (agentId === undefined || paused === undefined) return
    const view = this.options.index.get(agentId)
    if (!view) return
    if (paused === '1' && view.state.status !== 'away') this.set(agentId, 'away', `queue pause ${device}`)
    else if (paused === '0' && view.state.status === 'away' && this.applied.get(agentId) === 'away') this.set(agentId, 'available', `queue unpause ${device}`)
  }

  private apply(agentId: string, activity: DeviceActivity | null, source: string): void {
    if (activity === null) return
    const view = this.options.index.get(agentId)
    if (!view) return
    const { status, activeCalls } = view.state
    const ours = this.applied.get(agentId) === status
    switch (activity) {
      case 'ringing':
      case 'busy':
        // A routed call is already counted by the index: reporting it again would count it twice.
        if (activeCalls > 0) return
        if (status === 'available' || (ours && status !== activity)) this.set(agentId, activity, source)
        return
      case 'unavailable':
        if (status !== 'offline') this.set(agentId, 'offline', source)
        return
      case 'idle':
        if (activeCalls > 0) return
        if (status === 'offline' || (ours && (status === 'busy' || status === 'ringing'))) {
          const afterCall = ours && status === 'busy' && this.options.wrapUpSeconds > 0
          if (afterCall) this.wrapUp(agentId, source)
          else this.set(agentId, 'available', source)
        }
        return
    }
  }

  /** A direct call ended: wrap-up for the configured time, then available unless somebody changed it meanwhile. */
  private wrapUp(agentId: string, source: string): void {
    this.set(agentId, 'wrap-up', source)
    clearTimeout(this.wrapUps.get(agentId))
    const timer = setTimeout(() => {
      this.wrapUps.delete(agentId)
      if (this.options.index.get(agentId)?.state.status === 'wrap-up' && this.applied.get(agentId) === 'wrap-up') this.set(agentId, 'available', 'wrap-up over')
    }, this.options.wrapUpSeconds * 1000)
    timer.unref()
    this.wrapUps.set(agentId, timer)
  }

  private set(agentId: string, status: AgentStatus, source: string): void {
    if (!this.options.index.setAgentState(agentId, status, this.options.now())) return
    this.applied.set(agentId, status)
    this.options.logger.info({ agentId, status, source }, 'agent state from Asterisk')
  }
}
