import { randomUUID } from 'node:crypto'
import { EventEmitter, once } from 'node:events'
import net from 'node:net'
import { formatSip, header, parseSip, setHeader, statusOf, tagOf, type SipText } from './sip-text.js'

/**
 * A stand-in for drachtio-server on its admin port, for tests where the real
 * server cannot run. It speaks drachtio's framed protocol as drachtio-srf
 * expects it (`<length>#<msgId>|<type>|…\r\n<SIP message>`): authenticate,
 * route, ping, `sip` both ways (requests from the network delivered to the
 * application, its responses acknowledged with "Msg sent:" echoes, requests it
 * sends — INVITE, CANCEL, ACK, BYE — echoed and answered), and `response`.
 * The test plays the network: the caller's side (sendInvite, cancel, bye)
 * and the agents' phones (the 'invite-out' event).
 */
export class DrachtioStandIn extends EventEmitter {
  private readonly server: net.Server
  private readonly sockets = new Set<net.Socket>()
  private readonly buffers = new Map<net.Socket, Buffer>()
  /** Requests from the network to the application, by drachtio transaction id. */
  private readonly inbound = new Map<string, InboundExchange>()
  /** INVITEs the application sent, by transaction id. */
  private readonly outbound = new Map<string, OutboundInvite>()
  private client: net.Socket | null = null
  /** Frames the application sent, by type: what the protocol tests look at. */
  readonly received: string[] = []

  private constructor(readonly secret: string) {
    super()
    this.server = net.createServer((socket) => this.accept(socket))
  }

  static async start(options: { secret?: string; port?: number } = {}): Promise<DrachtioStandIn> {
    const standIn = new DrachtioStandIn(options.secret ?? 'cymru')
    standIn.server.listen(options.port ?? 0, '127.0.0.1')
    await once(standIn.server, 'listening')
    return standIn
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port
  }

  /** Resolves once an application has authenticated and asked for INVITEs. */
  async connected(): Promise<void> {
    if (this.client && !this.client.destroyed && this.routed.has('invite')) return
    await once(this, 'routed-invite')
  }

  private readonly routed = new Set<string>()
  /** CSeq of the in-dialog requests the network sends (BYE, REFER), rising for each. */
  private inDialogCSeq = 1
  /** The SDP the far end answers a re-INVITE with (the caller's own, as a phone keeps its media). */
  reinviteAnswer = REINVITE_ANSWER

  /** Delivers a request from the network (a caller) to the application. */
  sendRequest(text: string): InboundExchange {
    const client = this.requireClient()
    const message = parseSip(text)
    const txnId = randomUUID()
    const exchange = new InboundExchange(this, message, txnId)
    this.inbound.set(txnId, exchange)
    this.send(client, `sip|network|${Buffer.byteLength(text)}|udp|127.0.0.1|5090|${time()}|${txnId}||\r\n${text}`)
    return exchange
  }

  sendInvite(text: string): InboundExchange {
    return this.sendRequest(text)
  }

  /** The caller cancels its INVITE (drachtio passes CANCEL up with its own transaction). */
  cancel(exchange: InboundExchange): void {
    const m = exchange.request
    const cancel: SipText = {
      startLine: m.startLine.replace(/^INVITE/, 'CANCEL'),
      headers: m.headers.filter(([n]) => /^(via|from|to|call-id|max-forwards)$/i.test(n)).concat([['CSeq', `${header(m, 'CSeq')!.split(' ')[0]} CANCEL`]]),
      body: ''
    }
    const text = formatSip(cancel)
    this.send(this.requireClient(), `sip|network|${Buffer.byteLength(text)}|udp|127.0.0.1|5090|${time()}|${randomUUID()}||\r\n${text}`)
  }

  /** Sends an in-dialog request from the network (ACK or BYE from the caller; BYE or REFER, with its extra headers, from an agent). */
  sendInDialog(method: 'ACK' | 'BYE' | 'REFER', dialogId: string, base: SipText, fromAgent = false, extra: [string, string][] = []): InboundExchange {
    const txnId = randomUUID()
    const request: SipText = {
      startLine: `${method} sip:${fromAgent ? 'app' : 'caller'}@127.0.0.1 SIP/2.0`,
      headers: [
        ['Via', `SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-${txnId}`],
        ['From', fromAgent ? header(base, 'To')! : header(base, 'From')!],
        ['To', fromAgent ? header(base, 'From')! : header(base, 'To')!],
        ['Call-ID', header(base, 'Call-ID')!],
        ['CSeq', `${method === 'ACK' ? 1 : ++this.inDialogCSeq} ${method}`],
        ...extra
      ],
      body: ''
    }
    const text = formatSip(request)
    const exchange = new InboundExchange(this, request, txnId)
    if (method !== 'ACK') this.inbound.set(txnId, exchange)
    this.send(this.requireClient(), `sip|network|${Buffer.byteLength(text)}|udp|127.0.0.1|5090|${time()}|${txnId}|${dialogId}|\r\n${text}`)
    return exchange
  }

  /** Cuts the application's connection, as a drachtio-server restart would. */
  dropClients(): void {
    for (const socket of this.sockets) socket.destroy()
    this.client = null
    this.routed.clear()
  }

  async close(): Promise<void> {
    this.dropClients()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** A response from the network (an agent's phone) to an INVITE the application sent. */
  respondToOutbound(invite: OutboundInvite, status: number, reason: string, options: { body?: string; dialogId?: string } = {}): void {
    const m = invite.request
    const to = header(m, 'To')!
    const response: SipText = {
      startLine: `SIP/2.0 ${status} ${reason}`,
      headers: [
        ['Via', header(m, 'Via')!],
        ['From', header(m, 'From')!],
        ['To', tagOf(to) ? to : `${to};tag=agent-${invite.txnId.slice(0, 8)}`],
        ['Call-ID', header(m, 'Call-ID')!],
        ['CSeq', header(m, 'CSeq')!]
      ],
      body: options.body ?? ''
    }
    if (status < 300) response.headers.push(['Contact', `<${invite.uri}>`])
    if (response.body) response.headers.push(['Content-Type', 'application/sdp'])
    invite.response = response
    const text = formatSip(response)
    this.send(this.requireClient(), `sip|network|${Buffer.byteLength(text)}|udp|127.0.0.1|5070|${time()}|${invite.txnId}|${options.dialogId ?? ''}|\r\n${text}`)
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket)
    // As drachtio-server does: small frames go out at once, not held back for the previous one's ACK.
    socket.setNoDelay(true)
    socket.on('data', (data) => this.read(socket, data))
    socket.on('close', () => {
      this.sockets.delete(socket)
      if (this.client === socket) this.client = null
    })
    socket.on('error', () => socket.destroy())
  }

  /** Frames are `<byte length>#<payload>`; a read may carry several, or part of one. */
  private read(socket: net.Socket, data: Buffer): void {
    let buffer = Buffer.concat([this.buffers.get(socket) ?? Buffer.alloc(0), data])
    for (;;) {
      const hash = buffer.indexOf('#')
      if (hash <= 0) break
      const length = Number(buffer.subarray(0, hash).toString())
      if (!Number.isInteger(length) || length <= 0) {
        socket.destroy()
        return
      }
      if (buffer.length < hash + 1 + length) break
      const frame = buffer.subarray(hash + 1, hash + 1 + length).toString('utf8')
      buffer = buffer.subarray(hash + 1 + length)
      this.handle(socket, frame)
    }
    this.buffers.set(socket, buffer)
  }

  private handle(socket: net.Socket, frame: string): void {
    const crlf = frame.indexOf('\r\n')
    const leader = crlf >= 0 ? frame.slice(0, crlf) : frame
    const body = crlf >= 0 ? frame.slice(crlf + 2) : ''
    const tokens = leader.split('|')
    const [msgId, type] = tokens as [string, string]
    this.received.push(type)
    switch (type) {
      case 'authenticate':
        if (tokens[2] !== this.secret) {
          this.send(socket, `response|${msgId}|NO|incorrect secret`)
          return
        }
        this.client = socket
        this.send(socket, `response|${msgId}|OK|udp/127.0.0.1:5060|v0.9.4|`)
        return
      case 'route':
        this.routed.add(tokens[2] ?? '')
        this.send(socket, `response|${msgId}|OK`)
        if (tokens[2] === 'invite') this.emit('routed-invite')
        return
      case 'ping':
        this.send(socket, `response|${msgId}|OK|pong`)
        return
      case 'sip':
        this.fromApplication(socket, msgId, tokens[2] ?? '', tokens[3] ?? '', body)
        return
      default:
        this.send(socket, `response|${msgId}|NO|Unknown message type`)
    }
  }

  private fromApplication(socket: net.Socket, msgId: string, txnId: string, dialogId: string, text: string): void {
    const message = parseSip(text)
    if (message.startLine.startsWith('SIP/2.0')) return this.applicationResponded(socket, msgId, txnId, message)
    const method = message.startLine.split(' ')[0]!
    if (method === 'CANCEL') {
      this.echo(socket, msgId, randomUUID(), message)
      const invite = this.outbound.get(txnId)
      if (invite && !invite.final) {
        invite.emit('cancel')
        // The agent's phone answers the CANCELled INVITE with 487, as a phone does.
        // Unless the application has gone meanwhile: then there is nobody to tell.
        setImmediate(() => !invite.final && this.client === socket && !socket.destroyed && invite.respond(487, 'Request Terminated'))
      }
      return
    }
    if (method === 'ACK') {
      this.echo(socket, msgId, randomUUID(), message)
      this.emit('ack', dialogId, message)
      return
    }
    if (dialogId) {
      // BYE, NOTIFY or re-INVITE in a dialog: echoed, then answered 200 by the far end (a re-INVITE with its SDP answer).
      const byeTxn = randomUUID()
      this.fillRequest(message)
      this.echo(socket, msgId, byeTxn, message)
      if (method === 'BYE') this.emit('bye-out', dialogId)
      if (method === 'INVITE') this.emit('reinvite-out', dialogId, message)
      this.emit('request-out', method, dialogId, message)
      const ok: SipText = { startLine: 'SIP/2.0 200 OK', headers: message.headers.filter(([n]) => /^(via|from|to|call-id|cseq)$/i.test(n)), body: '' }
      if (method === 'INVITE') {
        ok.headers.push(['Contact', '<sip:far-end@127.0.0.1:5090>'], ['Content-Type', 'application/sdp'])
        ok.body = this.reinviteAnswer
      }
      const okText = formatSip(ok)
      setImmediate(() => this.send(socket, `sip|network|${Buffer.byteLength(okText)}|udp|127.0.0.1|5070|${time()}|${byeTxn}|${dialogId}|\r\n${okText}`))
      return
    }
    // A new request (the B leg's INVITE): drachtio fills in what the application left out.
    const newTxn = randomUUID()
    this.fillRequest(message)
    this.echo(socket, msgId, newTxn, message)
    const invite = new OutboundInvite(this, message, newTxn)
    this.outbound.set(newTxn, invite)
    setImmediate(() => this.emit('invite-out', invite))
  }

  /** The application answered a request from the network. */
  private applicationResponded(socket: net.Socket, msgId: string, txnId: string, message: SipText): void {
    const exchange = this.inbound.get(txnId)
    const status = statusOf(message)
    let dialogId = ''
    if (exchange) {
      setHeader(message, 'Via', header(exchange.request, 'Via') ?? 'SIP/2.0/UDP 127.0.0.1:5090')
      const to = header(message, 'To') ?? ''
      if (status > 100 && !tagOf(to)) setHeader(message, 'To', `${to};tag=app-${txnId.slice(0, 8)}`)
      if (status >= 200 && status < 300 && exchange.method === 'INVITE') {
        if (!header(message, 'Contact')) setHeader(message, 'Contact', '<sip:127.0.0.1:5060>')
        dialogId = `${header(message, 'Call-ID')};from-tag=${tagOf(header(message, 'From'))}`
      }
    }
    this.send(socket, `response|${msgId}|OK|application|${Buffer.byteLength(formatSip(message))}|udp|127.0.0.1|5060|${time()}|${txnId}|${dialogId}||Msg sent:|\r\n${formatSip(message)}`)
    if (exchange) {
      if (status >= 200) this.inbound.delete(txnId)
      exchange.received(message, dialogId)
    }
  }

  private fillRequest(message: SipText): void {
    const [method, uri] = message.startLine.split(' ') as [string, string]
    const fill = (name: string, value: string) => header(message, name) ?? setHeader(message, name, value)
    setHeader(message, 'Via', `SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-${randomUUID().slice(0, 12)}`)
    fill('Max-Forwards', '70')
    const from = header(message, 'From') ?? '<sip:127.0.0.1:5060>'
    setHeader(message, 'From', tagOf(from) ? from : `${from};tag=app-${randomUUID().slice(0, 8)}`)
    fill('To', `<${uri}>`)
    fill('Call-ID', `${randomUUID()}@127.0.0.1`)
    fill('CSeq', `1 ${method}`)
    fill('Contact', '<sip:127.0.0.1:5060>')
  }

  private echo(socket: net.Socket, msgId: string, txnId: string, message: SipText): void {
    const text = formatSip(message)
    this.send(socket, `response|${msgId}|OK|application|${Buffer.byteLength(text)}|udp|127.0.0.1|5060|${time()}|${txnId}|Msg sent:|\r\n${text}`)
  }

  private send(socket: net.Socket, payload: string): void {
    if (socket.destroyed) return
    const framed = `${randomUUID()}|${payload}`
    socket.write(`${Buffer.byteLength(framed)}#${framed}`)
  }

  private requireClient(): net.Socket {
    if (!this.client || this.client.destroyed) throw new Error('no application is connected to the drachtio stand-in')
    return this.client
  }
}

/** A request from the network to the application, and the responses it got. */
export class InboundExchange extends EventEmitter {
  readonly responses: SipText[] = []
  /** Set when the application answered an INVITE with 2xx. */
  dialogId = ''
  readonly method: string

  constructor(
    private readonly standIn: DrachtioStandIn,
    readonly request: SipText,
    readonly txnId: string
  ) {
    super()
    this.method = request.startLine.split(' ')[0]!
  }

  received(message: SipText, dialogId: string): void {
    this.responses.push(message)
    if (dialogId) this.dialogId = dialogId
    this.emit('response', message)
  }

  /** The final response (>= 200), when it comes. */
  async final(): Promise<SipText> {
    return this.response((status) => status >= 200)
  }

  async response(match: (status: number) => boolean): Promise<SipText> {
    const seen = this.responses.find((r) => match(statusOf(r)))
    if (seen) return seen
    // One listener for all that come: several responses may arrive in one read.
    return new Promise((resolve) => {
      const listener = (message: SipText) => {
        if (!match(statusOf(message))) return
        this.off('response', listener)
        resolve(message)
      }
      this.on('response', listener)
    })
  }

  /** The caller acknowledges a 2xx, then may hang up. */
  ack(): void {
    this.standIn.sendInDialog('ACK', this.dialogId, this.finalMessage())
  }

  hangUp(): InboundExchange {
    return this.standIn.sendInDialog('BYE', this.dialogId, this.finalMessage())
  }

  private finalMessage(): SipText {
    const final = this.responses.find((r) => statusOf(r) >= 200)
    if (!final) throw new Error('no final response yet')
    return final
  }
}

/** An INVITE the application sent to an agent: the test answers it as the agent's phone. */
export class OutboundInvite extends EventEmitter {
  final = false
  response: SipText | null = null
  readonly uri: string

  constructor(
    private readonly standIn: DrachtioStandIn,
    readonly request: SipText,
    readonly txnId: string
  ) {
    super()
    this.uri = request.startLine.split(' ')[1]!
  }

  header(name: string): string | undefined {
    return header(this.request, name)
  }

  ringing(): void {
    this.standIn.respondToOutbound(this, 180, 'Ringing')
  }

  respond(status: number, reason: string): void {
    this.final = status >= 200
    this.standIn.respondToOutbound(this, status, reason)
  }

  /** The agent picks up; returns the dialog id drachtio would give the B leg. */
  answer(sdp: string): string {
    this.final = true
    const dialogId = `${this.header('Call-ID')};from-tag=${tagOf(this.header('From'))}`
    this.standIn.respondToOutbound(this, 200, 'OK', { body: sdp, dialogId })
    return dialogId
  }

  /** The agent hangs up an answered call. */
  hangUp(dialogId: string): InboundExchange {
    return this.standIn.sendInDialog('BYE', dialogId, this.response!, true)
  }

  /** The agent's phone transfers the answered call itself (its own button): a REFER naming `referTo`. */
  refer(dialogId: string, referTo: string): InboundExchange {
    return this.standIn.sendInDialog('REFER', dialogId, this.response!, true, [
      ['Refer-To', referTo],
      ['Contact', `<${this.uri}>`]
    ])
  }
}

const REINVITE_ANSWER = ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n')

function time(): string {
  return new Date().toISOString().slice(11, 23)
}
