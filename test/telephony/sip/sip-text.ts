/**
 * SIP message texts for the tests: parse what the adapter sends, build what
 * callers and agents send. Headers keep their order and repeats.
 */
export interface SipText {
  /** "INVITE sip:…" or "SIP/2.0 302 Moved Temporarily". */
  startLine: string
  headers: [string, string][]
  body: string
}

export function parseSip(text: string): SipText {
  const split = text.indexOf('\r\n\r\n')
  const head = split >= 0 ? text.slice(0, split) : text
  const body = split >= 0 ? text.slice(split + 4) : ''
  const [startLine, ...lines] = head.split('\r\n')
  const headers: [string, string][] = []
  for (const line of lines) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()])
  }
  return { startLine: startLine ?? '', headers, body }
}

export function formatSip(message: SipText): string {
  const headers = message.headers.filter(([name]) => name.toLowerCase() !== 'content-length')
  headers.push(['Content-Length', String(Buffer.byteLength(message.body, 'utf8'))])
  return `${message.startLine}\r\n${headers.map(([n, v]) => `${n}: ${v}`).join('\r\n')}\r\n\r\n${message.body}`
}

/** The first value of a header (case-insensitive; compact forms f, t, i, m, v understood). */
export function header(message: SipText, name: string): string | undefined {
  return headers(message, name)[0]
}

/** Every value of a header, repeated headers and comma lists alike for Contact. */
export function headers(message: SipText, name: string): string[] {
  const wanted = new Set([name.toLowerCase(), COMPACT[name.toLowerCase()] ?? ''])
  return message.headers.filter(([n]) => wanted.has(n.toLowerCase())).map(([, v]) => v)
}

export function statusOf(message: SipText): number {
  const match = /^SIP\/2\.0 (\d{3})/.exec(message.startLine)
  return match ? Number(match[1]) : 0
}

export function setHeader(message: SipText, name: string, value: string): void {
  const index = message.headers.findIndex(([n]) => n.toLowerCase() === name.toLowerCase())
  if (index >= 0) message.headers[index] = [name, value]
  else message.headers.push([name, value])
}

export function tagOf(value: string | undefined): string | null {
  return /;\s*tag=([^;>\s]+)/i.exec(value ?? '')?.[1] ?? null
}

const COMPACT: Record<string, string> = { from: 'f', to: 't', 'call-id': 'i', contact: 'm', via: 'v', 'content-type': 'c' }

const SDP = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 40000 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', ''].join('\r\n')

let sequence = 0

/** An INVITE as a PBX sends it; extra headers are appended (and may repeat), `from` replaces From. */
export function invite(options: { to: string; from?: string; callId?: string; extra?: [string, string][]; uri?: string; omit?: string[] }): string {
  const n = ++sequence
  const callId = options.callId ?? `call-${n}-${process.pid}@127.0.0.1`
  const headers: [string, string][] = [
    ['Via', `SIP/2.0/UDP 127.0.0.1:5090;branch=z9hG4bK-${n}-${Date.now()}`],
    ['Max-Forwards', '70'],
    ['From', options.from ?? '<sip:+79161234567@127.0.0.1:5090>;tag=caller-1'],
    ['To', `<sip:${options.to}@127.0.0.1>`],
    ['Call-ID', callId],
    ['CSeq', '1 INVITE'],
    ['Contact', '<sip:caller@127.0.0.1:5090>'],
    ['Content-Type', 'application/sdp'],
    ...(options.extra ?? [])
  ]
  const omit = new Set((options.omit ?? []).map((n) => n.toLowerCase()))
  const kept = headers.filter(([name]) => !omit.has(name.toLowerCase()))
  return formatSip({ startLine: `INVITE ${options.uri ?? `sip:${options.to}@127.0.0.1`} SIP/2.0`, headers: kept, body: SDP })
}

export { SDP }
