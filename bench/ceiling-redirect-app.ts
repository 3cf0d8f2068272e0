/**
 * The ceiling of the real-server benchmark (bench/sip-real.bench.ts): the
 * least a drachtio-srf redirect app can do. It connects to drachtio-server's
 * admin port, and answers each INVITE with 302 to the caller's owner from an
 * in-memory map (caller number → owner's SIP URI), or 480 for a number it
 * does not know. No database, no rules, no records, no log lines.
 *
 * Run by the benchmark as a child process: argv host port secret map.json;
 * it sends { type: 'ready' } once connected, and on { type: 'stop' } its CPU
 * time since { type: 'mark' } ({ type: 'cpu', us }) before it exits.
 */
import { readFileSync } from 'node:fs'
import { createSrf, type SrfRequest, type SrfResponse } from '../src/telephony/sip/drachtio.js'

const [host, port, secret, mapFile] = process.argv.slice(2)
if (!host || !port || !secret || !mapFile) throw new Error('usage: ceiling-redirect-app.ts <host> <port> <secret> <map.json>')
const owners = new Map<string, string>(Object.entries(JSON.parse(readFileSync(mapFile, 'utf8')) as Record<string, string>))

/** The caller's number from From, in the map's form: 8XXXXXXXXXX is +7XXXXXXXXXX. */
function callerOf(req: SrfRequest): string | null {
  const user = /sips?:([^@;>]+)/.exec(req.get('From') ?? '')?.[1]
  if (!user) return null
  return user.startsWith('8') && user.length === 11 ? `+7${user.slice(1)}` : user
}

const srf = createSrf()
srf.invite((req: SrfRequest, res: SrfResponse) => {
  const caller = callerOf(req)
  const owner = caller === null ? undefined : owners.get(caller)
  if (owner) res.send(302, { headers: { Contact: `<${owner}>;q=1.0` } })
  else res.send(480)
})
srf.on('connect', (err: Error | null) => {
  if (err) throw err
  process.send?.({ type: 'ready' })
})
srf.connect({ host, port: Number(port), secret })
// CPU from 'mark' (the measured calls start) to 'stop', as for our server.
let marked = process.cpuUsage()
process.on('message', (message: { type: string }) => {
  if (message.type === 'mark') marked = process.cpuUsage()
  if (message.type !== 'stop') return
  const cpu = process.cpuUsage(marked)
  srf.disconnect()
  process.send?.({ type: 'cpu', us: cpu.user + cpu.system }, () => process.exit(0))
})
