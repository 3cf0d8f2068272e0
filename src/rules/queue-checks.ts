/**
 * Checks across the whole set once every file is read: each queue a rule, the fallback or an
 * overflow names is configured in `queues:`, and no overflow leads back to where it started.
 */
import type { Node } from 'yaml'
import type { QueueSettings } from '../routing/waiting/types.js'
import { withSuggestion } from './errors.js'
import type { RuleError } from './types.js'
import type { YamlFile } from './yaml-reader.js'

/** A place in the set's files: the file that wrote it and the node. */
export interface Written {
  file: YamlFile
  node: Node
}

/** A queue named somewhere (a rule's then/otherwise, the fallback, an overflow). */
export interface QueueReference extends Written {
  queue: string
  /** "rule VIP customers", "the fallback", "the overflow of queue vip". */
  by: string
}

export function checkQueueReferences(refs: readonly QueueReference[], queues: ReadonlyMap<string, QueueSettings>): void {
  for (const ref of refs) {
    if (queues.has(ref.queue)) continue
    const known = [...queues.keys()]
    const hint = known.length === 0 ? '; configure it in a queues: section (queues.yaml)' : ` (configured: ${known.join(', ')})`
    ref.file.error(ref.node, withSuggestion(`queue '${ref.queue}' named by ${ref.by} is not configured${hint}`, ref.queue, known))
  }
}

/**
 * Refuses overflow loops (A overflows to B, B to A): a call would go round them forever. Each
 * loop is reported once, at the overflow of the queue it was first met from, naming the round.
 */
export function checkOverflowLoops(queues: ReadonlyMap<string, QueueSettings>, overflowAt: ReadonlyMap<string, Written>, errors: RuleError[]): void {
  const reported = new Set<string>()
  for (const start of [...queues.keys()].sort()) {
    const path: string[] = []
    let at: string | undefined = start
    while (at !== undefined && !path.includes(at)) {
      path.push(at)
      const overflow: QueueSettings['overflow'] | undefined = queues.get(at)?.overflow
      at = overflow?.kind === 'queue' ? overflow.queue : undefined
    }
    if (at === undefined) continue
    const round = path.slice(path.indexOf(at))
    const key = [...round].sort().join('\0')
    if (reported.has(key)) continue
    reported.add(key)
    const first = round[0]!
    const where = overflowAt.get(first)
    const message = `overflow loop: ${[...round, first].join(' → ')}; a call would wait in these queues forever, so one of them must overflow to voicemail or reject`
    if (where) where.file.error(where.node, message)
    else errors.push({ file: '.', line: 0, col: 0, message })
  }
}
