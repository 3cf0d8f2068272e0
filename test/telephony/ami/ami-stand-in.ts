import { createServer, type Server, type Socket } from 'node:net'

/**
 * A stand-in for Asterisk 22's Manager Interface, for tests and benchmarks:
 * the real banner, Login, Action/Response with ActionID, event-list responses
 * (EventList: start … Complete), and events written field for field as
 * Asterisk 22 writes them (see the reference transcript). It keeps a small
 * model of channels so that Redirect, Setvar, Getvar and CoreShowChannels
 * answer like the real thing; tests play the rest of a call with the helpers.
 */

export interface StandInChannel {
  name: string
  uniqueid: string
  linkedid: string
  state: number
  callerNum: string
  callerName: string
  context: string
  exten: string
  priority: number
  vars: Map<string, string>
  bridgeId: string
}

export interface ReceivedAction {
  name: string
  fields: Record<string, string>
}

type ActionHandler = (fields: Record<string, string>, session: Socket) => string | null

const STATE_DESC: Record<number, string> = { 0: 'Down', 4: 'Ring', 5: 'Ringing', 6: 'Up' }
const CRLF = '\r\n'

export class AmiStandIn {
  readonly actions: ReceivedAction[] = []
  readonly channels = new Map<string, StandInChannel>()
  readonly devices = new Map<string, string>()
  private readonly server: Server
  private readonly sessions = new Set<Socket>()
  private readonly overrides = new Map<string, ActionHandler>()
  private readonly actionWaiters: { name: string; resolve: (a: ReceivedAction) => void }[] = []
  private seq = 20
  private clock = 1795376765
  logins = 0

  constructor(private readonly credentials = { user: 'cti', secret: 'cti-secret' }) {
    this.server = createServer((socket) => this.session(socket))
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve))
    const address = this.server.address()
    return typeof address === 'object' && address ? address.port : 0
  }

  async close(): Promise<void> {
    for (const s of this.sessions) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** Cuts every AMI connection, as a restart or a network fault would. */
  dropConnections(): void {
    for (const s of this.sessions) s.destroy()
    this.sessions.clear()
  }

  /** Answers an action with a handler of the test's own (return the response text, or null to answer as usual). */
  override(action: string, handler: ActionHandler): void {
    this.overrides.set(action.toLowerCase(), handler)
  }

  /** Resolves with the next action of that name received (or one already received and not yet waited for). */
  nextAction(name: string): Promise<ReceivedAction> {
    return new Promise((resolve) => this.actionWaiters.push({ name: name.toLowerCase(), resolve }))
  }

  /** Writes raw text to every logged-in session (malformed input tests). */
  sendRaw(text: string): void {
    for (const s of this.sessions) s.write(text)
  }

  /** Writes one event to every session. */
  emit(name: string, fields: [string, string][]): void {
    const text = `Event: ${name}${CRLF}${fields.map(([k, v]) => `${k}: ${v}${CRLF}`).join('')}${CRLF}`
    for (const s of this.sessions) s.write(text)
  }

  /** A new inbound channel (a trunk call), as Newchannel announces it. */
  newChannel(options: { name?: string; callerNum: string; callerName?: string; context?: string; exten?: string; linkedid?: string }): StandInChannel {
    const uniqueid = `${this.clock}.${this.seq++}`
    const channel: StandInChannel = {
      name: options.name ?? `PJSIP/trunk-${(this.seq * 7919).toString(16).padStart(8, '0')}`,
      uniqueid,
      linkedid: options.linkedid ?? uniqueid,
      state: 4,
      callerNum: options.callerNum,
      callerName: options.callerName ?? '<unknown>',
      context: options.context ?? 'cti-inbound',
      exten: options.exten ?? 's',
      priority: 1,
      vars: new Map(),
      bridgeId: ''
    }
    this.channels.set(channel.name, channel)
    this.emit('Newchannel', [['Privilege', 'call,all'], ...this.channelFields(channel)])
    return channel
  }

  /** The shipped dialplan's route request: Newexten UserEvent(CtiRoute,…), then the call waits in cti-wait. */
  routeRequest(channel: StandInChannel, dialed: string): void {
    channel.vars.set('CTI_DIALED', dialed)
    channel.state = 6
    this.emit('UserEvent', [
      ['Privilege', 'user,all'],
      ...this.channelFields(channel),
      ['UserEvent', 'CtiRoute'],
      ['Caller', channel.callerNum],
      ['CallerName', channel.callerName],
      ['Dialed', dialed]
    ])
    this.moveTo(channel, 'cti-wait', 's')
  }

  /** The agents context dials the agent's phone: DialBegin (and the phone's device rings). */
  dialBegin(channel: StandInChannel, device: string): StandInChannel {
    const dest = this.newChannel({ name: `${device}-${(this.seq * 104729).toString(16).padStart(8, '0')}`, callerNum: channel.callerNum, callerName: channel.callerName, context: 'from-internal', exten: 's', linkedid: channel.linkedid })
    dest.state = 0
    this.emit('DialBegin', [['Privilege', 'call,all'], ...this.channelFields(channel), ...this.channelFields(dest, 'Dest'), ['DialString', device.split('/')[1] ?? device]])
    this.deviceState(device, 'RINGING')
    return dest
  }

  /** The agent answered: DialEnd ANSWER, both channels enter one bridge. */
  answer(channel: StandInChannel, dest: StandInChannel, device: string): void {
    dest.state = 6
    this.emit('DialEnd', [['Privilege', 'call,all'], ...this.channelFields(channel), ...this.channelFields(dest, 'Dest'), ['DialStatus', 'ANSWER']])
    this.deviceState(device, 'INUSE')
    const bridge = `3b1c0d40-ecc0-4775-9279-${String(this.seq++).padStart(12, '0')}`
    for (const [c, n] of [[channel, 1], [dest, 2]] as const) {
      c.bridgeId = bridge
      this.emit('BridgeEnter', [['Privilege', 'call,all'], ...bridgeFields(bridge, n), ...this.channelFields(c)])
    }
  }

  /** The agent did not answer: DialEnd with the status, the dialplan's CtiDialResult, back to waiting. */
  noAnswer(channel: StandInChannel, dest: StandInChannel, device: string, extension: string, status = 'NOANSWER'): void {
    this.emit('DialEnd', [['Privilege', 'call,all'], ...this.channelFields(channel), ...this.channelFields(dest, 'Dest'), ['DialStatus', status]])
    this.hangup(dest, 19, 'No answer')
    this.deviceState(device, 'NOT_INUSE')
    this.emit('UserEvent', [['Privilege', 'user,all'], ...this.channelFields(channel), ['UserEvent', 'CtiDialResult'], ['Status', status], ['Agent', extension]])
    this.moveTo(channel, 'cti-wait', 's')
  }

  /** A channel hangs up (BridgeLeave first when bridged). */
  hangup(channel: StandInChannel, cause = 16, text = 'Normal Clearing'): void {
    if (channel.bridgeId) this.emit('BridgeLeave', [['Privilege', 'call,all'], ...bridgeFields(channel.bridgeId, 1), ...this.channelFields(channel)])
    this.emit('Hangup', [['Privilege', 'call,all'], ...this.channelFields(channel), ['Cause', String(cause)], ['Cause-txt', text]])
    this.channels.delete(channel.name)
  }

  /** A channel that is gone from Asterisk without any event reaching the server (a lost Hangup). */
  vanish(channel: StandInChannel): void {
    this.channels.delete(channel.name)
  }

  /** The answer to a CoreShowChannels action with that ActionID, as Asterisk 22 writes it for the channels there now. */
  channelList(actionId: string): string {
    return this.list({ actionid: actionId }, 'Channels will follow', 'CoreShowChannelsComplete', [...this.channels.values()].map((c) => [
      'CoreShowChannel',
      [...this.channelFields(c), ['Application', c.context === 'cti-wait' ? 'Wait' : 'Dial'], ['ApplicationData', ''], ['Duration', '00:00:05'], ['BridgeId', c.bridgeId]]
    ]))
  }

  deviceState(device: string, state: string): void {
    this.devices.set(device, state)
    this.emit('DeviceStateChange', [['Privilege', 'call,all'], ['Device', device], ['State', state]])
  }

  /** The dialplan moves a channel on (Newexten in the new place). */
  moveTo(channel: StandInChannel, context: string, exten: string): void {
    channel.context = context
    channel.exten = exten
    channel.priority = 1
    this.emit('Newexten', [['Privilege', 'dialplan,all'], ...this.channelFields(channel), ['Extension', exten], ['Application', context === 'cti-wait' ? 'MusicOnHold' : 'NoOp'], ['AppData', '']])
  }

  channelFields(c: StandInChannel, prefix = ''): [string, string][] {
    return [
      [`${prefix}Channel`, c.name],
      [`${prefix}ChannelState`, String(c.state)],
      [`${prefix}ChannelStateDesc`, STATE_DESC[c.state] ?? 'Unknown'],
      [`${prefix}CallerIDNum`, c.callerNum],
      [`${prefix}CallerIDName`, c.callerName],
      [`${prefix}ConnectedLineNum`, '<unknown>'],
      [`${prefix}ConnectedLineName`, '<unknown>'],
      [`${prefix}Language`, 'en'],
      [`${prefix}AccountCode`, ''],
      [`${prefix}Context`, c.context],
      [`${prefix}Exten`, c.exten],
      [`${prefix}Priority`, String(c.priority)],
      [`${prefix}Uniqueid`, c.uniqueid],
      [`${prefix}Linkedid`, c.linkedid]
    ]
  }

  private session(socket: Socket): void {
    socket.setNoDelay(true)
    socket.write(`Asterisk Call Manager/11.0.0${CRLF}`)
    let buffer = ''
    let authenticated = false
    socket.on('error', () => socket.destroy())
    socket.on('close', () => this.sessions.delete(socket))
    socket.on('data', (data) => {
      buffer += data.toString('utf8')
      for (let end = buffer.indexOf(CRLF + CRLF); end >= 0; end = buffer.indexOf(CRLF + CRLF)) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 4)
        const fields: Record<string, string> = {}
        for (const line of block.split(CRLF)) {
          const colon = line.indexOf(':')
          if (colon > 0) fields[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
        }
        const name = (fields.action ?? '').toLowerCase()
        if (name === 'login') {
          authenticated = fields.username === this.credentials.user && fields.secret === this.credentials.secret
          if (!authenticated) {
            socket.end(response(fields, 'Error', [['Message', 'Authentication failed']]))
            return
          }
          this.logins++
          socket.write(response(fields, 'Success', [['Message', 'Authentication accepted']]))
          socket.write(`Event: FullyBooted${CRLF}Privilege: system,all${CRLF}Uptime: 135${CRLF}LastReload: 135${CRLF}Status: Fully Booted${CRLF}${CRLF}`)
          this.sessions.add(socket)
          continue
        }
        if (!authenticated) {
          socket.write(response(fields, 'Error', [['Message', 'Permission denied']]))
          continue
        }
        this.received(name, fields)
        const custom = this.overrides.get(name)?.(fields, socket)
        socket.write(custom ?? this.answerAction(name, fields))
      }
    })
  }

  private received(name: string, fields: Record<string, string>): void {
    const action = { name, fields }
    this.actions.push(action)
    const waiter = this.actionWaiters.findIndex((w) => w.name === name)
    if (waiter >= 0) this.actionWaiters.splice(waiter, 1)[0]!.resolve(action)
  }

  private answerAction(name: string, fields: Record<string, string>): string {
    switch (name) {
      case 'ping':
        return response(fields, 'Success', [['Ping', 'Pong'], ['Timestamp', `${this.clock}.299532`]])
      case 'setvar': {
        const channel = this.channels.get(fields.channel ?? '')
        if (!channel) return response(fields, 'Error', [['Message', 'No such channel']])
        channel.vars.set(fields.variable ?? '', fields.value ?? '')
        return response(fields, 'Success', [['Message', 'Variable Set']])
      }
      case 'getvar': {
        const channel = this.channels.get(fields.channel ?? '')
        if (!channel) return response(fields, 'Error', [['Message', 'No such channel']])
        return response(fields, 'Success', [['Variable', fields.variable ?? ''], ['Value', channel.vars.get(fields.variable ?? '') ?? '']])
      }
      case 'redirect': {
        const channel = this.channels.get(fields.channel ?? '')
        if (!channel) return response(fields, 'Error', [['Message', `Channel does not exist: ${fields.channel}`]])
        // Asterisk answers first and runs the async goto after.
        setImmediate(() => this.moveTo(channel, fields.context ?? '', fields.exten ?? ''))
        return response(fields, 'Success', [['Message', 'Redirect successful']])
      }
      case 'originate':
        return response(fields, 'Success', [['Message', 'Originate successfully queued']])
      case 'coreshowchannels':
        return this.channelList(fields.actionid ?? '')
      case 'devicestatelist':
        return this.list(fields, 'Device State Changes will follow', 'DeviceStateListComplete', [...this.devices].map(([device, state]) => ['DeviceStateChange', [['Device', device], ['State', state]]]))
      case 'extensionstatelist':
        return response(fields, 'Error', [['Message', 'No dialplan hints are available']])
      case 'queuestatus':
        return this.list(fields, 'Queue status will follow', 'QueueStatusComplete', [])
      case 'command':
        return response(fields, 'Success', [['Message', 'Command output follows'], ['Output', 'Asterisk 22.10.1 built by stand-in']])
      default:
        return response(fields, 'Error', [['Message', 'Invalid/unknown command']])
    }
  }

  private list(fields: Record<string, string>, message: string, complete: string, items: [string, [string, string][]][]): string {
    const id = fields.actionid ? `ActionID: ${fields.actionid}${CRLF}` : ''
    let text = `Response: Success${CRLF}${id}EventList: start${CRLF}Message: ${message}${CRLF}${CRLF}`
    for (const [event, body] of items) text += `Event: ${event}${CRLF}${id}${body.map(([k, v]) => `${k}: ${v}${CRLF}`).join('')}${CRLF}`
    return `${text}Event: ${complete}${CRLF}${id}EventList: Complete${CRLF}ListItems: ${items.length}${CRLF}${CRLF}`
  }
}

function response(fields: Record<string, string>, result: string, body: [string, string][]): string {
  const id = fields.actionid ? `ActionID: ${fields.actionid}${CRLF}` : ''
  return `Response: ${result}${CRLF}${id}${body.map(([k, v]) => `${k}: ${v}${CRLF}`).join('')}${CRLF}`
}

function bridgeFields(id: string, count: number): [string, string][] {
  return [
    ['BridgeUniqueid', id],
    ['BridgeType', 'basic'],
    ['BridgeTechnology', 'simple_bridge'],
    ['BridgeCreator', '<unknown>'],
    ['BridgeName', '<unknown>'],
    ['BridgeNumChannels', String(count)],
    ['BridgeVideoSourceMode', 'none']
  ]
}
