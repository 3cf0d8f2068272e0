import type { RuleSet } from '../routing/types.js'
import type { BoardCall } from './live-calls.js'
import { abandonRate, averageAnswerSeconds, emptyDay, serviceLevel, type QueueDay } from './today-counters.js'

/** A threshold from queues.yaml: at or past `warn` amber, at or past `alert` red (below, for the service level). */
export interface Threshold {
  warn: number
  alert: number
}

/** One queue as the wallboard shows it. */
export interface BoardQueue {
  /** '' for calls whose rule names no queue. */
  name: string
  waiting: number
  /** When the longest current wait began (epoch ms); null when nobody waits. */
  oldestSince: number | null
  serviceLevelSeconds: number
  thresholds: { waiting: Threshold; longestWaitSeconds: Threshold; serviceLevelPercent: Threshold }
  today: QueueDay
  /** 0..1, or null before any call counts. */
  serviceLevel: number | null
  abandonRate: number | null
  averageAnswerSeconds: number | null
}

/** Used for a queue the rules do not configure (the core's own defaults). */
export const DEFAULT_SERVICE_LEVEL_SECONDS = 20
const DEFAULT_THRESHOLDS = { waiting: { warn: 5, alert: 10 }, longestWaitSeconds: { warn: 60, alert: 120 }, serviceLevelPercent: { warn: 80, alert: 60 } }

/** The service-level threshold of a queue, from the rules in force. */
export function serviceLevelSecondsOf(rules: RuleSet | null, queue: string): number {
  return rules?.queues?.get(queue)?.serviceLevelSeconds ?? DEFAULT_SERVICE_LEVEL_SECONDS
}

/**
 * Every queue worth a row: those configured or named in the rules, those with a call now, and those
 * with a figure today. Waiting counts come from the calls in progress of every process.
 */
export function queueViews(calls: Iterable<BoardCall>, days: ReadonlyMap<string, QueueDay>, rules: RuleSet | null): BoardQueue[] {
  const waiting = new Map<string, { n: number; oldest: number }>()
  for (const call of calls) {
    if (call.phase !== 'waiting') continue
    const name = call.queue ?? ''
    const w = waiting.get(name)
    if (w) {
      w.n++
      w.oldest = Math.min(w.oldest, call.waitingSince)
    } else waiting.set(name, { n: 1, oldest: call.waitingSince })
  }
  const named = (rules?.rules ?? []).flatMap((rule) => (rule.otherwise.kind === 'queue' ? [rule.otherwise.queue] : []))
  const names = new Set<string>([...(rules?.queues?.keys() ?? []), ...named, ...waiting.keys(), ...days.keys()])
  return [...names].sort(byName).map((name) => {
    const settings = rules?.queues?.get(name)
    const today = days.get(name) ?? emptyDay()
    const w = waiting.get(name)
    return {
      name,
      waiting: w?.n ?? 0,
      oldestSince: w?.oldest ?? null,
      serviceLevelSeconds: settings?.serviceLevelSeconds ?? DEFAULT_SERVICE_LEVEL_SECONDS,
      thresholds: settings?.thresholds ?? DEFAULT_THRESHOLDS,
      today: { ...today },
      serviceLevel: serviceLevel(today),
      abandonRate: abandonRate(today),
      averageAnswerSeconds: averageAnswerSeconds(today)
    }
  })
}

/** Named queues first, alphabetically; calls without a queue last. */
function byName(a: string, b: string): number {
  if (a === '' || b === '') return a === '' ? 1 : -1
  return a.localeCompare(b)
}
