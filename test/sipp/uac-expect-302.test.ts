import { spawn, spawnSync } from 'node:child_process'
import dgram from 'node:dgram'
import t from 'tap'
import { formatSip, header, parseSip, type SipText } from '../telephony/sip/sip-text.js'

/**
 * The caller scenario of the redirect tests, against a minimal UDP answerer
 * playing the server side: the ACK of a 302 belongs to the INVITE's
 * transaction (RFC 3261 17.1.1.3: same branch, same CSeq number), otherwise
 * drachtio-server takes it for a stray request and keeps resending the 302.
 */
const scenario = new URL('./uac-expect-302.xml', import.meta.url).pathname
const sipp = spawnSync('sipp', ['-v']).error === undefined

const branchOf = (message: SipText) => /;\s*branch=([^;\s]+)/i.exec(header(message, 'Via') ?? '')?.[1] ?? null
const cseqOf = (message: SipText) => (header(message, 'CSeq') ?? '').split(/\s+/)

if (!sipp) {
  t.pass('skipped: sipp is not installed (apt-get install sip-tester)')
} else {
  t.test('the ACK for the 302 reuses the INVITE\'s branch and CSeq number', async (t) => {
    const socket = dgram.createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    t.teardown(() => socket.close())
    const received: SipText[] = []
    socket.on('message', (data, from) => {
      const message = parseSip(data.toString())
      received.push(message)
      if (!message.startLine.startsWith('INVITE')) return
      const to = header(message, 'To')!
      const redirect: SipText = {
        startLine: 'SIP/2.0 302 Moved Temporarily',
        headers: [
          ['Via', header(message, 'Via')!],
          ['From', header(message, 'From')!],
          ['To', `${to};tag=router-1`],
          ['Call-ID', header(message, 'Call-ID')!],
          ['CSeq', header(message, 'CSeq')!],
          ['Contact', '<sip:anna@127.0.0.1:5071>;q=1.0, <sip:clara@127.0.0.1:5071>;q=0.9'],
          ['X-Route-Rule', 'VIP customers']
        ],
        body: ''
      }
      socket.send(formatSip(redirect), from.port, from.address)
    })
    const { port } = socket.address()
    const code = await new Promise<number | null>((resolve) =>
      spawn('sipp', ['-sf', scenario, '-s', '+74951234567', '-m', '1', '-i', '127.0.0.1', '-p', '0', '-nostdin', '-timeout', '20s', `127.0.0.1:${port}`], { stdio: 'ignore' }).on(
        'close',
        resolve
      )
    )
    t.equal(code, 0, 'the scenario saw its 302 with the owner first')
    const inviteMsg = received.find((m) => m.startLine.startsWith('INVITE'))
    const ack = received.find((m) => m.startLine.startsWith('ACK'))
    t.ok(inviteMsg && ack, 'an INVITE and its ACK arrived')
    t.equal(branchOf(ack!), branchOf(inviteMsg!), 'the ACK is on the INVITE\'s branch')
    t.same(cseqOf(ack!), [cseqOf(inviteMsg!)[0], 'ACK'], 'with the INVITE\'s CSeq number and method ACK')
    t.match(header(ack!, 'To'), /;tag=router-1/, 'and the 302\'s To tag')
    t.equal(ack!.startLine.split(' ')[1], inviteMsg!.startLine.split(' ')[1], 'to the INVITE\'s Request-URI')
  })
}
