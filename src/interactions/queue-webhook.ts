import { randomUUID } from 'node:crypto'
import type { Logger } from 'pino'
import { WebhookPop } from '../screenpop/webhook-pop.js'
import type { InteractionEvent } from './interaction-types.js'

export interface QueueWebhookOptions {
  url: string
  /** Key of the HMAC-SHA256 signature, as for the screen-pop webhooks (signWebhook). */
  secret: string
  logger: Logger
  now: () => number
}

/**
 * POSTs what became of each waiting interaction to one URL, for PBXs that would rather be told than
 * hold a long poll: `{ type: "queue-served", callId, agentId, address, ringSeconds, queue, waitedMs }`
 * when an agent is chosen (reserved and ringing now), `{ type: "queue-overflow", callId, final, queue,
 * waitedMs }` when the queue's overflow applies. Signed, retried and bounded like the screen-pop
 * webhooks (the same sender): `X-CTI-Timestamp`, `X-CTI-Signature`, `X-Event-Id`.
 */
export class QueueWebhook {
  private readonly sender: WebhookPop
  /** Calls dequeued and not yet offered or given their final action → how they left. */
  private readonly leaving = new Map<string, { queue: string; why: string; waitedMs: number }>()
  private seq = 0

  constructor(private readonly options: QueueWebhookOptions) {
    // One target that matches every call: the sender's routing by team is not used here.
    this.sender = new WebhookPop({ targets: [{ team: 'queue', url: options.url }], teamOf: () => 'queue', secret: options.secret, logger: options.logger, now: options.now })
  }

  /** The InteractionRouter listener. */
  readonly handle = (event: InteractionEvent): void => {
    if (event.type === 'dequeued') {
      if (event.why === 'served' || event.why === 'overflow') this.leaving.set(event.callId, { queue: event.queue, why: event.why, waitedMs: event.waitedMs })
      return
    }
    const left = this.leaving.get(event.callId)
    if (!left) return
    if (event.type === 'offered') {
      const target = event.routed.decision.targets[0]
      this.send(event.agentId, { type: 'queue-served', callId: event.callId, address: target?.address ?? null, ringSeconds: event.ringSeconds, queue: left.queue, waitedMs: left.waitedMs })
    } else if (event.type === 'final') {
      this.send('', { type: 'queue-overflow', callId: event.callId, final: event.decision.final, queue: left.queue, waitedMs: left.waitedMs })
    } else if (event.type !== 'ended') return
    this.leaving.delete(event.callId)
  }

  /** Deliveries not finished yet. */
  get pending(): number {
    return this.sender.pending
  }

  drained(): Promise<void> {
    return this.sender.drained()
  }

  close(): void {
    this.sender.close()
  }

  private send(agentId: string, body: { type: string; callId: string } & Record<string, unknown>): void {
    this.sender.deliver(agentId, { ...body, id: randomUUID(), seq: ++this.seq, at: this.options.now() })
  }
}
