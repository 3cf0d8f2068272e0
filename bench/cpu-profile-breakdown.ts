/**
 * Where a server's CPU went, from a V8 CPU profile (node --cpu-prof): self
 * time grouped by what the code does (card, JSON, logging, identify, routing,
 * HTTP, SIP parsing, PostgreSQL driver, the embedded database…), in ms and
 * per call when the number of calls is given.
 *
 *   node --import tsx bench/cpu-profile-breakdown.ts <file.cpuprofile> [--calls N]
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

/** First match wins: more specific groups come first. */
const GROUPS: [string, (fn: string, url: string) => boolean][] = [
  ['card assembly (customer card, card events)', (_, u) => /customer-card|card-events|card-cache|lead\.repository/.test(u)],
  ['screen-pop hub and webhooks', (_, u) => /screenpop\//.test(u)],
  ['logging (pino)', (_, u) => /node_modules\/(pino|thread-stream|sonic-boom|pino-std-serializers|fast-redact)\//.test(u)],
  ['JSON (parse, stringify, schemas)', (f, u) => /^(stringify|parse|JSON\.)/.test(f) || /fast-json-stringify|secure-json-parse|ajv|typebox/.test(u)],
  ['identify (phone parsing, caller cache)', (_, u) => /src\/identify\/|libphonenumber/.test(u)],
  ['routing core and rules', (_, u) => /src\/(routing|rules)\/|cel-js/.test(u)],
  ['interactions, call records, workflows', (_, u) => /src\/(interactions|calls|workflows|durability|presence|metrics|wallboard|audit|supervisor|preview)\//.test(u)],
  ['SIP adapter and drachtio-srf parsing', (_, u) => /src\/telephony\/|drachtio/.test(u)],
  ['HTTP (fastify, light-my-request, node:http)', (_, u) => /node_modules\/(fastify|@fastify|find-my-way|light-my-request|avvio)|src\/api\/|node:_http/.test(u)],
  ['CRM queries (kysely, pg driver)', (_, u) => /node_modules\/(kysely|pg|pg-protocol|pg-pool|pg-types|postgres-)|src\/crm\//.test(u)],
  ['embedded database (PGlite)', (_, u) => /pglite/.test(u)],
  ['socket writes (writev, in the kernel)', (f) => f === 'writev' || f === 'writeBuffer' || f === 'writeUtf8String'],
  ['module loading and compiling (start-up)', (_, u) => /node:internal\/(modules|source_map|deps\/cjs-module-lexer)|node_modules\/tsx\//.test(u)],
  ['garbage collection', (f) => f === '(garbage collector)'],
  ['idle', (f) => f === '(idle)' || f === '(program)'],
  ['node internals (streams, sockets, timers)', (_, u) => u.startsWith('node:')],
  ['other', () => true]
]

const { values, positionals } = parseArgs({ allowPositionals: true, options: { calls: { type: 'string' } } })
const file = positionals[0]
if (!file) throw new Error('usage: cpu-profile-breakdown.ts <file.cpuprofile> [--calls N]')
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const selfUs = new Map<string, number>()
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]!)!
  const { functionName, url } = node.callFrame
  const group = GROUPS.find(([, match]) => match(functionName, url))![0]
  selfUs.set(group, (selfUs.get(group) ?? 0) + (profile.timeDeltas[i] ?? 0))
}
const calls = values.calls ? Number(values.calls) : 0
const busy = [...selfUs].filter(([g]) => g !== 'idle').reduce((sum, [, us]) => sum + us, 0)
console.log(`${file}: ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s profiled, ${(busy / 1e3).toFixed(0)} ms busy${calls ? `, ${calls} calls` : ''}`)
for (const [group] of GROUPS) {
  const us = selfUs.get(group)
  if (!us || group === 'idle') continue
  const perCall = calls ? `  ${(us / calls).toFixed(1).padStart(7)} µs/call` : ''
  console.log(`${group.padEnd(46)} ${(us / 1e3).toFixed(0).padStart(7)} ms  ${((us / busy) * 100).toFixed(1).padStart(5)} %${perCall}`)
}
