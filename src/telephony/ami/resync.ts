import type { Logger } from 'pino'
import type { AmiClient } from './ami-client.js'
import { callerIdValue, field, type AmiMessage } from './ami-message.js'
import type { StreamMark } from './inbound-call-table.js'
import type { ChannelSnapshot } from './inbound-calls.js'

/** Lists that re-sync asks for; each may be refused when its module is not loaded (no hints, no app_queue). */
const STATE_LISTS = [{ Action: 'DeviceStateList' }, { Action: 'ExtensionStateList' }, { Action: 'QueueStatus' }] as const

export interface ResyncTargets {
  /** Device, extension and queue member states, fed as if they were live events. */
  state: (event: AmiMessage) => void
  /** Where the event stream stands, taken just before the channels are asked for. */
  mark: () => StreamMark
  /** Channels in progress now (as of the mark), and how to read a channel's dialed number. */
  calls: (channels: ChannelSnapshot[], asked: StreamMark, dialedOf: (channel: string) => Promise<string | null>) => Promise<void>
}

/**
 * After every (re)connection: what changed while the server was away. States
 * first (so that routing a found call sees agents as they are), then channels.
 */
export async function resync(client: Pick<AmiClient, 'eventList' | 'action'>, targets: ResyncTargets, logger: Logger): Promise<{ channels: number; states: number }> {
  let states = 0
  for (const list of STATE_LISTS) {
    try {
      const events = await client.eventList({ ...list })
      for (const event of events) targets.state(event)
      states += events.length
    } catch (err) {
      logger.info({ action: list.Action, reason: err instanceof Error ? err.message : String(err) }, 'state list not available from Asterisk; skipped')
    }
  }
  const asked = targets.mark()
  const channels = await listChannels(client, logger)
  await targets.calls(channels, asked, async (channel) => {
    try {
      return field(await client.action({ Action: 'Getvar', Channel: channel, Variable: 'CTI_DIALED' }), 'value') ?? null
    } catch (err) {
      logger.info({ channel, err }, 'dialed number of a waiting channel not readable')
      return null
    }
  })
  return { channels: channels.length, states }
}

/** The channels Asterisk has now (CoreShowChannels). */
export async function listChannels(client: Pick<AmiClient, 'eventList'>, logger: Logger): Promise<ChannelSnapshot[]> {
  return (await client.eventList({ Action: 'CoreShowChannels' })).flatMap((event) => {
    const snapshot = toSnapshot(event)
    if (!snapshot) logger.info({ channel: field(event, 'channel') }, 'CoreShowChannel entry without Uniqueid or Linkedid; skipped')
    return snapshot ? [snapshot] : []
  })
}

function toSnapshot(event: AmiMessage): ChannelSnapshot | null {
  const channel = field(event, 'channel')
  const uniqueid = field(event, 'uniqueid')
  const linkedid = field(event, 'linkedid')
  if (!channel || !uniqueid || !linkedid) return null
  return {
    channel,
    uniqueid,
    linkedid,
    context: field(event, 'context'),
    callerNum: callerIdValue(field(event, 'calleridnum')),
    callerName: callerIdValue(field(event, 'calleridname')),
    bridged: field(event, 'bridgeid') !== undefined
  }
}
