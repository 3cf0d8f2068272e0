/**
 * The world of a test case: the agents on shift (team, skills, state, how
 * long idle) and the caller's customer record, as admins write them:
 *
 *   agents:
 *     a-anna: { team: vip-desk, skills: { lang:en: 7 }, idle: 5m }
 *     a-boris: away                   # only a new state for an agent listed before
 *   customer: { tier: vip, owner: a-anna, lastAgent: a-boris, lastContact: 10d ago }
 */
import { isMap, isScalar } from 'yaml'
import type { Node } from 'yaml'
import type { AgentStatus, CustomerSummary } from '../routing/types.js'
import { parseDuration } from './duration.js'
import { withSuggestion } from './errors.js'
import type { YamlFile } from './yaml-reader.js'

export interface TestAgent {
  id: string
  name: string
  team: string | null
  skills: Record<string, number>
  status: AgentStatus
  /** How long the agent has been in that state before the call; orders longest-idle. */
  idleSeconds: number
  capacity: number
  callsToday: number
}

const STATUSES: readonly AgentStatus[] = ['available', 'away', 'offline', 'wrap-up', 'busy', 'ringing']
const AGENT_FIELDS = ['name', 'team', 'skills', 'state', 'idle', 'capacity', 'calls today'] as const
const CUSTOMER_FIELDS = ['id', 'name', 'owner', 'tier', 'segment', 'language', 'overdueAmount', 'overdueDays', 'blocked',
  'lastAgent', 'lastContact', 'openDealStage'] as const

/** One of a fixed set of words, e.g. a state or a channel. */
export function oneOf<T extends string>(file: YamlFile, node: Node, what: string, allowed: readonly T[]): T | undefined {
  const text = file.text(node, what)
  if (text === undefined) return undefined
  if ((allowed as readonly string[]).includes(text)) return text as T
  return void file.error(node, withSuggestion(`unknown ${what} '${text}' (known: ${allowed.join(', ')})`, text, allowed))
}

/** Reads `id: state` or `id: { team, skills, state, ... }` entries over `into`. */
export function readAgents(file: YamlFile, node: Node, into: Map<string, TestAgent>): boolean {
  if (!isMap(node)) {
    file.error(node, 'agents must list agent ids, each with a state or with team, skills, state')
    return false
  }
  let ok = true
  for (const pair of node.items) {
    const keyNode = pair.key as Node
    const id = isScalar(keyNode) ? String(keyNode.value) : ''
    const agent: TestAgent = into.get(id) ?? { id, name: id, team: null, skills: {}, status: 'available', idleSeconds: 0, capacity: 1, callsToday: 0 }
    const value = (pair.value as Node | null)
    if (value === null || (isScalar(value) && value.value === null)) { into.set(id, agent); continue }
    if (isScalar(value)) {
      const status = oneOf(file, value, 'state', STATUSES)
      if (status === undefined) ok = false
      else into.set(id, { ...agent, status })
      continue
    }
    const f = file.fields(value, `agent ${id}`, AGENT_FIELDS)
    if (!f) { ok = false; continue }
    const next = { ...agent }
    for (const [name, field] of f) {
      const v = field.value
      let read: unknown
      switch (name) {
        case 'name': read = next.name = file.text(v, 'name') ?? ''; break
        case 'team': read = next.team = file.isEmpty(v) ? null : file.text(v, 'team') ?? null; break
        case 'skills': read = next.skills = readProficiencies(file, v) ?? {}; break
        case 'state': read = oneOf(file, v, 'state', STATUSES); if (read) next.status = read as AgentStatus; break
        case 'idle': read = file.duration(v, 'idle', 0, 30 * 86_400); if (read !== undefined) next.idleSeconds = read as number; break
        case 'capacity': read = file.wholeNumber(v, 'capacity', 1, 100); if (read !== undefined) next.capacity = read as number; break
        case 'calls today': read = file.wholeNumber(v, 'calls today', 0, 10_000); if (read !== undefined) next.callsToday = read as number; break
      }
      if (read === undefined) ok = false
    }
    into.set(id, next)
  }
  return ok
}

function readProficiencies(file: YamlFile, node: Node): Record<string, number> | undefined {
  if (file.isEmpty(node)) return {}
  if (!isMap(node)) return void file.error(node, 'skills must list skill names with a proficiency 1-10, e.g. billing: 6')
  const out: Record<string, number> = {}
  for (const pair of node.items) {
    const skill = isScalar(pair.key) ? String(pair.key.value) : ''
    const level = pair.value ? file.wholeNumber(pair.value as Node, `proficiency for ${skill}`, 1, 10) : undefined
    if (!pair.value) file.error(pair.key as Node, `skill '${skill}' needs a proficiency 1-10`)
    if (level === undefined) return undefined
    out[skill] = level
  }
  return out
}

export function readCustomer(file: YamlFile, node: Node, at: number): CustomerSummary | undefined {
  const f = file.fields(node, 'customer', CUSTOMER_FIELDS)
  if (!f) return undefined
  const c: CustomerSummary = {
    id: 'c-test', name: 'Test Customer', ownerAgentId: null, tier: null, segment: null, language: null,
    overdueAmount: 0, overdueDays: 0, blocked: false, lastAgentId: null, lastContactAt: null, openDealStage: null,
  }
  let ok = true
  const textOrNull = (v: Node, what: string): string | null => (file.isEmpty(v) ? null : file.text(v, what) ?? (ok = false, null))
  for (const [name, { value: v }] of f) {
    switch (name) {
      case 'id': c.id = textOrNull(v, 'id') ?? c.id; break
      case 'name': c.name = textOrNull(v, 'name') ?? c.name; break
      case 'owner': c.ownerAgentId = textOrNull(v, 'owner'); break
      case 'tier': c.tier = textOrNull(v, 'tier'); break
      case 'segment': c.segment = textOrNull(v, 'segment'); break
      case 'language': c.language = textOrNull(v, 'language'); break
      case 'openDealStage': c.openDealStage = textOrNull(v, 'openDealStage'); break
      case 'lastAgent': c.lastAgentId = textOrNull(v, 'lastAgent'); break
      case 'overdueAmount': c.overdueAmount = file.number(v, 'overdueAmount', 0) ?? (ok = false, 0); break
      case 'overdueDays': c.overdueDays = file.wholeNumber(v, 'overdueDays', 0, 100_000) ?? (ok = false, 0); break
      case 'blocked': c.blocked = file.flag(v, 'blocked') ?? (ok = false, false); break
      case 'lastContact': {
        // "10d ago", or "10d".
        const text = file.text(v, 'lastContact')
        const seconds = text === undefined ? null : parseDuration(text.replace(/\s*ago$/i, ''))
        if (seconds === null) {
          if (text !== undefined) file.error(v, `lastContact: write how long ago, like 10d ago`)
          ok = false
        } else c.lastContactAt = at - seconds * 1000
        break
      }
    }
  }
  return ok ? c : undefined
}
