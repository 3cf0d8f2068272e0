import type { Logger } from 'pino'
import type { RedisLink } from '../presence/redis-link.js'
import type { CallFact } from './live-calls.js'

export interface SharedBoardOptions {
  link: RedisLink
  /** The pub/sub channel, under the configured key prefix. */
  channel: string
  processId: string
  logger: Logger
  /** Applies the facts another process published. */
  apply: (fact: CallFact) => void
}

/** Facts gathered this long go out as one message (a burst of calls is a few messages, not thousands). */
const BATCH_MS = 20

/**
 * The wallboard's calls across processes, over Redis pub/sub: each process publishes the
 * facts of the calls it routes (batched) and applies the others'. Agents' states need
 * nothing here: every process's index already follows them through Redis. Facts missed
 * while Redis is unreachable are not replayed; a call then shows from its next fact.
 */
export class SharedBoard {
  private batch: CallFact[] = []
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly o: SharedBoardOptions) {
    o.link.handle(o.channel, (message) => this.received(message))
  }

  publish(fact: CallFact): void {
    this.batch.push(fact)
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS)
  }

  close(): void {
    clearTimeout(this.timer)
    this.timer = undefined
  }

  private flush(): void {
    this.timer = undefined
    const facts = this.batch
    this.batch = []
    const { link, channel, processId, logger } = this.o
    if (!link.inSync) return
    link.commands.publish(channel, JSON.stringify({ from: processId, facts })).catch((err: unknown) => logger.warn({ err, facts: facts.length }, 'wallboard facts not shared (Redis)'))
  }

  private received(message: string): void {
    let parsed: { from?: string; facts?: CallFact[] }
    try {
      parsed = JSON.parse(message) as typeof parsed
    } catch (err) {
      this.o.logger.warn({ err }, 'malformed wallboard message ignored')
      return
    }
    if (parsed.from === this.o.processId || !Array.isArray(parsed.facts)) return
    for (const fact of parsed.facts) this.o.apply(fact)
  }
}
