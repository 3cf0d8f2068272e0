/**
 * The `queues:` section — where calls wait when a rule ends in `queue: NAME`, and for how long:
 *
 *   queues:
 *     vip:
 *       longest wait: 3m                   # then the overflow applies
 *       overflow: { queue: sales }         # voicemail (with a call-back task), another queue, or reject
 *       most waiting: 20                   # arrivals over it go to the overflow at once
 *       service level: 20s                 # answered within it counts as within the service level
 *       announce every: 30s                # position and wait told to the caller; 0s for never
 *       when nobody is logged in: overflow # or wait (app_queue's joinempty)
 *       thresholds:                        # the wallboard's amber and red
 *         waiting: { warn: 3, alert: 6 }
 *         longest wait: { warn: 1m, alert: 2m }
 *         service level: { warn: 80, alert: 60 }   # per cent answered in time; lower is worse
 *
 * Every setting may be left out; DEFAULT_QUEUE_SETTINGS fills it.
 */
import { isMap, isScalar } from 'yaml'
import type { Node } from 'yaml'
import { DEFAULT_QUEUE_SETTINGS, type QueueSettings, type Threshold } from '../routing/waiting/types.js'
import { readFinalAction } from './final-action.js'
import type { Field, YamlFile } from './yaml-reader.js'

const QUEUE_FIELDS = ['longest wait', 'overflow', 'most waiting', 'service level', 'announce every', 'when nobody is logged in', 'thresholds'] as const
const THRESHOLD_FIELDS = ['waiting', 'longest wait', 'service level'] as const
const DAY_SECONDS = 86_400
const NAME = /^[a-z0-9][a-z0-9_-]*$/i

/** A queue read from a file, with where its name and its overflow were written. */
export interface ReadQueue {
  settings: QueueSettings
  node: Node
  overflowNode: Node | null
}

export function readQueues(file: YamlFile, node: Node): ReadQueue[] {
  if (file.isEmpty(node)) return []
  if (!isMap(node)) {
    file.error(node, 'queues must list queue names, each with its longest wait, overflow and other settings')
    return []
  }
  const out: ReadQueue[] = []
  for (const pair of node.items) {
    const keyNode = pair.key as Node
    const name = isScalar(keyNode) ? String(keyNode.value ?? '') : ''
    if (!NAME.test(name)) {
      file.error(keyNode, `queue name ${file.describe(keyNode)} must be letters, digits, '-' or '_', like vip or sales-ru`)
      continue
    }
    const read = readQueue(file, name, (pair.value as Node | null) ?? null, keyNode)
    if (read) out.push(read)
  }
  return out
}

function readQueue(file: YamlFile, name: string, node: Node | null, keyNode: Node): ReadQueue | undefined {
  const source = `${file.name}:${file.lines.linePos(keyNode.range?.[0] ?? 0).line}`
  const settings: QueueSettings = { name, source, ...DEFAULT_QUEUE_SETTINGS }
  if (node === null || file.isEmpty(node)) return { settings, node: keyNode, overflowNode: null }
  const fields = file.fields(node, `queue ${name}`, QUEUE_FIELDS)
  if (!fields) return undefined
  let ok = true
  const set = <K extends keyof QueueSettings>(key: K, value: QueueSettings[K] | undefined): void => {
    if (value === undefined) ok = false
    else settings[key] = value
  }
  const longest = fields.get('longest wait')
  if (longest) set('maxWaitSeconds', file.duration(longest.value, 'longest wait', 1, DAY_SECONDS))
  const overflow = fields.get('overflow')
  if (overflow) set('overflow', readFinalAction(file, overflow.value, `overflow of queue ${name}`))
  const most = fields.get('most waiting')
  if (most) set('maxWaiting', file.wholeNumber(most.value, 'most waiting', 1, 1_000_000))
  const level = fields.get('service level')
  if (level) set('serviceLevelSeconds', file.duration(level.value, 'service level', 1, DAY_SECONDS))
  const announce = fields.get('announce every')
  if (announce) set('announceEverySeconds', announceEvery(file, announce))
  const nobody = fields.get('when nobody is logged in')
  if (nobody) set('whenNobodyLoggedIn', whenNobody(file, nobody))
  const thresholds = fields.get('thresholds')
  if (thresholds) set('thresholds', readThresholds(file, thresholds.value))
  return ok ? { settings, node: keyNode, overflowNode: overflow?.value ?? null } : undefined
}

function announceEvery(file: YamlFile, field: Field): number | undefined {
  const v = isScalar(field.value) ? field.value.value : undefined
  if (v === '0s' || v === 'never') return 0
  return file.duration(field.value, 'announce every', 10, 3600)
}

function whenNobody(file: YamlFile, field: Field): QueueSettings['whenNobodyLoggedIn'] | undefined {
  const text = file.text(field.value, 'when nobody is logged in')
  if (text === undefined) return undefined
  const word = text.toLowerCase()
  if (word === 'overflow' || word === 'wait') return word
  return void file.error(field.value, `when nobody is logged in: write 'overflow' (the overflow applies at once) or 'wait', got '${text}'`)
}

function readThresholds(file: YamlFile, node: Node): QueueSettings['thresholds'] | undefined {
  const fields = file.fields(node, 'thresholds', THRESHOLD_FIELDS)
  if (!fields) return undefined
  const base = DEFAULT_QUEUE_SETTINGS.thresholds
  const waiting = fields.get('waiting')
  const longest = fields.get('longest wait')
  const level = fields.get('service level')
  const out = {
    waiting: waiting ? pair(file, waiting, (n, what) => file.wholeNumber(n, what, 0, 1_000_000), 'up') : base.waiting,
    longestWaitSeconds: longest ? pair(file, longest, (n, what) => file.duration(n, what, 1, DAY_SECONDS), 'up') : base.longestWaitSeconds,
    serviceLevelPercent: level ? pair(file, level, (n, what) => file.wholeNumber(n, what, 0, 100), 'down') : base.serviceLevelPercent
  }
  return out.waiting && out.longestWaitSeconds && out.serviceLevelPercent ? (out as QueueSettings['thresholds']) : undefined
}

/** `{ warn: 3, alert: 6 }`: 'up' when higher is worse (alert at or above warn), 'down' when lower is. */
function pair(file: YamlFile, field: Field, read: (n: Node, what: string) => number | undefined, worse: 'up' | 'down'): Threshold | undefined {
  const fields = file.fields(field.value, `threshold ${field.name}`, ['warn', 'alert'])
  if (!fields) return undefined
  const warnField = fields.get('warn')
  const alertField = fields.get('alert')
  if (!warnField || !alertField) return void file.error(field.value, `threshold ${field.name} needs both warn and alert, e.g. { warn: 3, alert: 6 }`)
  const warn = read(warnField.value, `${field.name} warn`)
  const alert = read(alertField.value, `${field.name} alert`)
  if (warn === undefined || alert === undefined) return undefined
  if (worse === 'up' ? alert < warn : alert > warn) {
    return void file.error(alertField.value, `${field.name}: alert must be ${worse === 'up' ? 'at or above' : 'at or below'} warn (${worse === 'up' ? 'higher' : 'lower'} is worse)`)
  }
  return { warn, alert }
}
