import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import { chatDb, type ChatDatabase } from '../crm/chat-schema.js'
import type { Database } from '../crm/schema.js'
import type { WriteHealth } from '../durability/write-health.js'
import type { Insertable } from 'kysely'

export type ChatRow = Insertable<ChatDatabase['chats']>
export type ChatMessageRow = Insertable<ChatDatabase['chat_messages']>

export interface ChatWriterOptions {
  db: Kysely<Database>
  logger: Logger
  /** How long a row may wait for companions before a batch is written. */
  lingerMs?: number
  /** Rows held in memory at most; past it the oldest messages are dropped, loudly. */
  maxQueue?: number
  health?: WriteHealth
}

/**
 * Takes chat rows and transcript messages from the chat path without making it wait, and writes
 * them in batches, one transaction each. A refused batch is kept and retried with growing pauses
 * (the database may be down or read-only), so a slow or absent database never holds up a chat.
 * A chat's row is written again at each change (upsert); messages are inserted once (seq is the key).
 */
export class ChatWriter {
  private chats = new Map<string, ChatRow>()
  private messages: ChatMessageRow[] = []
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> | null = null
  private retryMs = 250
  private closed = false
  dropped = 0
  written = 0

  constructor(private readonly o: ChatWriterOptions) {}

  get pending(): number {
    return this.chats.size + this.messages.length
  }

  chat(row: ChatRow): void {
    this.chats.set(row.id, row)
    this.schedule(this.o.lingerMs ?? 20)
  }

  message(row: ChatMessageRow): void {
    // PostgreSQL text cannot hold U+0000: a message with one would be refused for ever, and hold up every batch after it.
    this.messages.push(row.text?.includes('\u0000') ? { ...row, text: row.text.replaceAll('\u0000', '') } : row)
    const max = this.o.maxQueue ?? 100_000
    if (this.messages.length > max) {
      this.messages.splice(0, this.messages.length - max)
      this.dropped++
      this.o.logger.error({ max }, 'chat messages dropped: the database has not taken them for too long')
    }
    this.schedule(this.o.lingerMs ?? 20)
  }

  /** Resolves once everything queued before the call is written (or the writer is closed). */
  async flush(): Promise<void> {
    while (!this.closed && (this.pending > 0 || this.writing)) {
      if (this.writing) await this.writing
      // After a refusal (the pause has grown), wait it out as the retry timer does rather than ask again at once.
      else if (this.retryMs > 250) await new Promise((resolve) => setTimeout(resolve, this.retryMs))
      else await this.write()
    }
  }

  /** Writes what is pending, giving up after `timeoutMs` while the database refuses (then it is logged as lost). */
  async close(timeoutMs = 5000): Promise<void> {
    clearTimeout(this.timer)
    let gaveUp: NodeJS.Timeout | undefined
    await Promise.race([this.flush().catch(() => undefined), new Promise((resolve) => (gaveUp = setTimeout(resolve, timeoutMs)))])
    clearTimeout(gaveUp)
    this.closed = true
    clearTimeout(this.timer)
    if (this.pending > 0) this.o.logger.error({ pending: this.pending }, 'chat rows not written at shutdown')
  }

  private schedule(ms: number): void {
    if (this.timer || this.writing || this.closed) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.write()
    }, ms)
  }

  private write(): Promise<void> {
    if (this.writing) return this.writing
    const chats = [...this.chats.values()]
    const messages = this.messages
    this.chats = new Map()
    this.messages = []
    if (chats.length === 0 && messages.length === 0) return Promise.resolve()
    this.writing = this.insert(chats, messages).then(
      () => {
        this.written += chats.length + messages.length
        this.retryMs = 250
        this.o.health?.succeeded('chats')
      },
      (err: unknown) => {
        // Kept for the next attempt; a newer row of the same chat wins over the refused one.
        for (const row of chats) if (!this.chats.has(row.id)) this.chats.set(row.id, row)
        this.messages = messages.concat(this.messages)
        this.o.logger.warn({ err, chats: chats.length, messages: messages.length, retryInMs: this.retryMs }, 'chat rows not written; retrying')
        this.o.health?.failed('chats', err)
        this.retryMs = Math.min(this.retryMs * 2, 5000)
      }
    ).finally(() => {
      this.writing = null
      if (this.pending > 0) this.schedule(this.retryMs === 250 ? 0 : this.retryMs)
    })
    return this.writing
  }

  private async insert(chats: ChatRow[], messages: ChatMessageRow[]): Promise<void> {
    await chatDb(this.o.db).transaction().execute(async (trx) => {
      if (chats.length > 0) {
        await trx.insertInto('chats').values(chats).onConflict((oc) => oc.column('id').doUpdateSet((eb) => ({
          agent_id: eb.ref('excluded.agent_id'), customer_id: eb.ref('excluded.customer_id'), lead_id: eb.ref('excluded.lead_id'),
          rule: eb.ref('excluded.rule'), outcome: eb.ref('excluded.outcome'), answered_at: eb.ref('excluded.answered_at'), ended_at: eb.ref('excluded.ended_at'),
          wait_seconds: eb.ref('excluded.wait_seconds'), handle_seconds: eb.ref('excluded.handle_seconds'), messages: eb.ref('excluded.messages'), product: eb.ref('excluded.product')
        }))).execute()
      }
      if (messages.length > 0) await trx.insertInto('chat_messages').values(messages).onConflict((oc) => oc.columns(['chat_id', 'seq']).doNothing()).execute()
    })
  }
}
