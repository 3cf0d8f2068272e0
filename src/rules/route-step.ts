/**
 * One step of a rule's `route:` — whom to ring, in the order written:
 *
 *   route:
 *     - owner                              # the customer's responsible manager, 20s
 *     - owner:
 *       ring: 30s
 *     - last agent:                        # who last worked with the customer
 *       within: 30d
 *     - agent: a-anna
 *     - team: vip-desk
 *       strategy: longest-idle
 *     - skills: { billing: 6, lang:ru: 5 }  # each at least that proficiency
 *       strategy: best-skill
 *     - product: 5                         # the line's product as a skill, at least 5
 *     - product: 7                         # the same, among the sales team only
 *       team: sales
 *     - owner:                             # busy owner: wait up to 30s for them before the next steps
 *       wait: 30s
 *
 * `team` with `skills` or `product` limits that skills step to the team; on its own it is a team step.
 */
import { isMap, isScalar, Scalar } from 'yaml'
import type { Node } from 'yaml'
import type { RouteStep, SkillRequirement, Strategy } from '../routing/types.js'
import { withSuggestion } from './errors.js'
import type { RulesCatalog } from './types.js'
import type { Field, YamlFile } from './yaml-reader.js'

export const STRATEGIES: readonly Strategy[] = ['longest-idle', 'fewest-calls', 'best-skill', 'round-robin', 'random']
export const DEFAULT_RING_SECONDS = 20
const DEFAULT_WITHIN_DAYS = 30
const MAX_RING_SECONDS = 600

const KINDS = ['owner', 'last agent', 'agent', 'team', 'skills', 'product'] as const
const OPTIONS = ['ring', 'within', 'strategy', 'wait'] as const
/** The longest a step may wait for its agents; the queue's own longest wait applies after. */
const MAX_WAIT_SECONDS = 3600
const APPLIES: Record<(typeof OPTIONS)[number], readonly string[]> = {
  ring: KINDS,
  wait: KINDS,
  within: ['last agent'],
  strategy: ['team', 'skills', 'product'],
}

export function readRouteStep(file: YamlFile, node: Node, catalog: RulesCatalog): RouteStep | undefined {
  if (isScalar(node) && typeof node.value === 'string') {
    const word = node.value.trim().toLowerCase()
    if (word === 'owner') return { kind: 'owner', ringSeconds: DEFAULT_RING_SECONDS }
    if (word === 'last agent') return { kind: 'last-agent', withinDays: DEFAULT_WITHIN_DAYS, ringSeconds: DEFAULT_RING_SECONDS }
    return void file.error(node, withSuggestion(`unknown route step '${node.value}'; a step is one of: ${KINDS.join(', ')}`, word, KINDS))
  }
  if (!isMap(node)) return void file.error(node, `a route step is one of: ${KINDS.join(', ')}`)
  const fields = file.fields(node, 'route step', [...KINDS, ...OPTIONS])
  if (!fields) return undefined
  if (!inlineOptions(file, fields)) return undefined
  // Next to skills or product, team limits the skills step instead of being a step of its own.
  const teamLimit = fields.has('team') && (fields.has('skills') || fields.has('product'))
  const kinds = KINDS.filter((k) => fields.has(k) && !(k === 'team' && teamLimit))
  const isSkills = kinds.length > 0 && kinds.every((k) => k === 'skills' || k === 'product')
  if (kinds.length === 0) return void file.error(node, `a route step needs one of: ${KINDS.join(', ')}`)
  if (kinds.length > 1 && !isSkills) {
    return void file.error(fields.get(kinds[1]!)!.key, `one route step rings one kind of target: '${kinds[0]}' and '${kinds[1]}' must be separate steps (each starting with "- ")`)
  }
  const kind = kinds[0]!
  let ok = true
  for (const option of OPTIONS) {
    const f = fields.get(option)
    if (f && !APPLIES[option].includes(kind)) {
      file.error(f.key, `'${option}' does not apply to a ${kind} step`)
      ok = false
    }
  }
  const ring = fields.get('ring')
  const ringSeconds = ring ? file.duration(ring.value, 'ring', 1, MAX_RING_SECONDS) : DEFAULT_RING_SECONDS
  const strategyField = fields.get('strategy')
  const strategy = strategyField ? readStrategy(file, strategyField) : kind === 'team' ? 'longest-idle' : 'best-skill'
  if (ringSeconds === undefined || strategy === undefined) ok = false
  const waitField = fields.get('wait')
  const waitSeconds = waitField ? file.duration(waitField.value, 'wait', 1, MAX_WAIT_SECONDS) : undefined
  if (waitField && waitSeconds === undefined) ok = false
  const step = readTarget(file, kind, fields, catalog, ringSeconds ?? 0, strategy ?? 'best-skill')
  if (!ok || step === undefined) return undefined
  return waitSeconds === undefined ? step : { ...step, waitSeconds }
}

/** The step itself, from its kind key; options already read. */
function readTarget(
  file: YamlFile, kind: (typeof KINDS)[number], fields: Map<string, Field>, catalog: RulesCatalog,
  ringSeconds: number, strategy: Strategy,
): RouteStep | undefined {
  const main = fields.get(kind)!
  switch (kind) {
    case 'owner':
      if (!emptyValue(file, main, 'the owner step rings the customer\'s owner; write the ring time as "ring: 20s" on the next line')) return undefined
      return { kind: 'owner', ringSeconds }
    case 'last agent': {
      if (!emptyValue(file, main, 'write how recent the last contact must be as "within: 30d" on the next line')) return undefined
      const within = fields.get('within')
      const seconds = within ? file.duration(within.value, 'within', 3600, 3650 * 86_400) : DEFAULT_WITHIN_DAYS * 86_400
      return seconds === undefined ? undefined : { kind: 'last-agent', withinDays: seconds / 86_400, ringSeconds }
    }
    case 'agent': {
      const agentId = file.text(main.value, 'agent')
      if (agentId === undefined) return undefined
      if (!catalog.agents.has(agentId)) return void file.error(main.value, withSuggestion(`unknown agent '${agentId}'`, agentId, catalog.agents))
      return { kind: 'agent', agentId, ringSeconds }
    }
    case 'team': {
      const team = readTeam(file, main, catalog)
      return team === undefined ? undefined : { kind: 'team', team, strategy, ringSeconds }
    }
    default: {
      const skillsField = fields.get('skills')
      const skills = skillsField ? readSkills(file, skillsField.value, catalog) : []
      const productField = fields.get('product')
      const productMin = productField ? file.wholeNumber(productField.value, 'product (minimum proficiency)', 1, 10) : undefined
      const teamField = fields.get('team')
      const team = teamField ? readTeam(file, teamField, catalog) : undefined
      if (skills === undefined || (productField && productMin === undefined) || (teamField && team === undefined)) return undefined
      return {
        kind: 'skills',
        skills,
        ...(productMin !== undefined ? { lineProduct: { minProficiency: productMin } } : {}),
        ...(team !== undefined ? { team } : {}),
        strategy,
        ringSeconds,
      }
    }
  }
}

/** A team the catalog knows. */
function readTeam(file: YamlFile, field: Field, catalog: RulesCatalog): string | undefined {
  const team = file.text(field.value, 'team')
  if (team === undefined) return undefined
  if (!catalog.teams.has(team)) return void file.error(field.value, withSuggestion(`unknown team '${team}'`, team, catalog.teams))
  return team
}

/**
 * `owner: { wait: 30s, ring: 20s }` — the options of a step that names nobody (owner, last agent)
 * may be written as its value too. They join the step's other options; one written twice is an error.
 */
function inlineOptions(file: YamlFile, fields: Map<string, Field>): boolean {
  for (const kind of ['owner', 'last agent']) {
    const main = fields.get(kind)
    if (main === undefined || !isMap(main.value)) continue
    const inner = file.fields(main.value, kind, OPTIONS)
    if (!inner) return false
    for (const [name, field] of inner) {
      if (fields.has(name)) {
        file.error(field.key, `'${name}' is written twice for this step`)
        return false
      }
      fields.set(name, field)
    }
    fields.set(kind, { ...main, value: new Scalar(null) })
  }
  return true
}

function emptyValue(file: YamlFile, field: Field, hint: string): boolean {
  if (file.isEmpty(field.value)) return true
  file.error(field.value, `'${field.name}' takes no value here; ${hint}`)
  return false
}

function readStrategy(file: YamlFile, field: Field): Strategy | undefined {
  const text = file.text(field.value, 'strategy')
  if (text === undefined) return undefined
  const normal = text.toLowerCase().replace(/\s+/g, '-') as Strategy
  if (STRATEGIES.includes(normal)) return normal
  return void file.error(field.value, withSuggestion(`unknown strategy '${text}' (known: ${STRATEGIES.join(', ')})`, normal, STRATEGIES))
}

/** `{ billing: 6, lang:ru: 5 }`: each skill with its minimum proficiency 1..10. */
function readSkills(file: YamlFile, node: Node, catalog: RulesCatalog): SkillRequirement[] | undefined {
  if (!isMap(node) || node.items.length === 0) {
    return void file.error(node, 'skills must list skill names with the lowest proficiency accepted, e.g. billing: 6')
  }
  const out: SkillRequirement[] = []
  let ok = true
  for (const pair of node.items) {
    const keyNode = pair.key as Node
    const skill = isScalar(keyNode) ? String(keyNode.value) : ''
    if (!catalog.skills.has(skill)) {
      file.error(keyNode, withSuggestion(`unknown skill '${skill}'`, skill, catalog.skills))
      ok = false
      continue
    }
    const valueNode = (pair.value as Node | null)
    const min = valueNode ? file.wholeNumber(valueNode, `proficiency for ${skill}`, 1, 10) : undefined
    if (!valueNode) file.error(keyNode, `skill '${skill}' needs the lowest proficiency accepted (1-10), e.g. ${skill}: 5`)
    if (min === undefined) { ok = false; continue }
    out.push({ skill, minProficiency: min })
  }
  return ok ? out : undefined
}
