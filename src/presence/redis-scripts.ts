import { readFileSync } from 'node:fs'
import type { Redis } from 'ioredis'

const source = (name: string) => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8')

/** Agent scripts run with the shared functions of agent-state.lua in front of them. */
const AGENT_SCRIPTS = ['reserve', 'answered', 'finish', 'set-presence', 'reassert', 'snapshot'] as const
type AgentScript = (typeof AGENT_SCRIPTS)[number]

/** The agent's four keys (see agent-state.lua), then ARGV. */
type AgentScriptCall = (agent: string, calls: string, leases: string, finished: string, ...args: (string | number)[]) => Promise<unknown>

/** The Lua scripts of the shared state, as commands of one ioredis client (EVALSHA, EVAL on a cold cache). */
export type ScriptedRedis = Redis & {
  [K in AgentScript as `cti_${Uncamel<K>}`]: AgentScriptCall
} & {
  cti_refresh(leases: string, leaseMs: number, ...callIds: string[]): Promise<number>
  cti_pop_publish(head: string, stream: string, ...args: (string | number)[]): Promise<number>
}

type Uncamel<S extends string> = S extends `${infer A}-${infer B}` ? `${A}_${Uncamel<B>}` : S

/** Registers the scripts on a client; returns it typed with them. */
export function withScripts(redis: Redis): ScriptedRedis {
  const prelude = source('agent-state')
  for (const name of AGENT_SCRIPTS) {
    redis.defineCommand(`cti_${name.replace(/-/g, '_')}`, { numberOfKeys: 4, lua: `${prelude}\n${source(name)}` })
  }
  redis.defineCommand('cti_refresh', { numberOfKeys: 1, lua: source('refresh') })
  redis.defineCommand('cti_pop_publish', { numberOfKeys: 2, lua: source('pop-publish') })
  return redis as ScriptedRedis
}
