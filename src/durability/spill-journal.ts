import { mkdir, open, readFile, rm, stat, writeFile, type FileHandle } from 'node:fs/promises'
import type { Logger } from 'pino'
import { claimSlot, type Slot } from './journal-slot.js'

export interface SpillJournalOptions {
  /** DATA_DIR. */
  dir: string
  /** File name stem: `<name>.journal`. */
  name: string
  logger: Logger
  /** How long an appended line may wait for companions before they are written and synced together. */
  syncMs?: number
}

/** Lines appended but not yet on disk, past which they are written at once. */
const SYNC_AT_LINES = 1000
const READ_CHUNK = 1 << 20

/**
 * A file of JSON lines in DATA_DIR that takes what a full in-memory queue
 * cannot hold, so that nothing is dropped. Lines are written and fsync'd in
 * batches; they are read back in order (at start, and whenever the queue has
 * room again) and the file is emptied only once everything in it has been
 * consumed. How far it was consumed is kept beside it, so a restart does not
 * write the same things twice.
 *
 * One process owns a journal file at a time (a lock file beside it); a second
 * process on the same DATA_DIR takes the next free slot.
 */
export class SpillJournal<T> {
  private slot: Slot | null = null
  private file: FileHandle | null = null
  private buffer: string[] = []
  private timer: NodeJS.Timeout | undefined
  /** Bytes on disk, and how far they were consumed. */
  private size = 0
  private offset = 0
  /** Every file operation runs after the previous one. */
  private chain: Promise<unknown> = Promise.resolve()
  /** The last write failed part-way. */
  private torn = false
  private readonly syncMs: number
  /** Lines appended since start. */
  appended = 0

  constructor(private readonly o: SpillJournalOptions) {
    this.syncMs = o.syncMs ?? 20
  }

  /** Something is in the journal that was not consumed yet (on disk or about to be). */
  get hasPending(): boolean {
    return this.buffer.length > 0 || this.offset < this.size
  }

  /** The journal file in use, once there is one. */
  get path(): string | null {
    return this.slot?.path ?? null
  }

  /** At start: takes up a journal a previous run left with lines in it, so they are read back. */
  recover(): Promise<void> {
    return this.serial(async () => {
      if (this.slot) return
      const slot = await claimSlot(this.o.dir, this.o.name, { onlyWithData: true })
      if (slot) await this.use(slot)
    })
  }

  /** Adds one line; returns at once (the line is on disk within syncMs). */
  append(item: T): void {
    this.buffer.push(JSON.stringify(item))
    this.appended++
    if (this.buffer.length >= SYNC_AT_LINES) void this.sync()
    else this.timer ??= setTimeout(() => void this.sync(), this.syncMs)
  }

  /** Writes and syncs what was appended so far. */
  sync(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    return this.serial(() => this.writeBuffer())
  }

  /**
   * Up to `max` items from where consumption stands, with the position after
   * each (`ends`) and after all (`next`) to pass to `consumed` once they are
   * safely elsewhere. Lines that do not parse (torn by a crash) come back as `unreadable`.
   */
  read(max: number): Promise<{ items: T[]; ends: number[]; unreadable: string[]; next: number }> {
    return this.serial(async () => {
      await this.writeBuffer()
      const items: T[] = []
      const ends: number[] = []
      const unreadable: string[] = []
      let position = this.offset
      if (!this.slot || position >= this.size) return { items, ends, unreadable, next: position }
      const reader = await open(this.slot.path, 'r')
      try {
        let carry = Buffer.alloc(0)
        while (items.length + unreadable.length < max && position + carry.length < this.size) {
          const chunk = Buffer.alloc(Math.min(READ_CHUNK, this.size - position - carry.length))
          const { bytesRead } = await reader.read(chunk, 0, chunk.length, position + carry.length)
          if (bytesRead === 0) break
          let data = Buffer.concat([carry, chunk.subarray(0, bytesRead)])
          let newline: number
          while (items.length + unreadable.length < max && (newline = data.indexOf(10)) >= 0) {
            const line = data.subarray(0, newline).toString('utf8')
            data = data.subarray(newline + 1)
            position += newline + 1
            if (line.length === 0) continue
            let item: T
            try {
              item = JSON.parse(line) as T
            } catch {
              // Torn by a crash mid-write: handed back for the dead letters, never silently skipped.
              unreadable.push(line)
              continue
            }
            items.push(item)
            ends.push(position)
          }
          carry = data
          if (items.length + unreadable.length >= max) break
        }
      } finally {
        await reader.close()
      }
      return { items, ends, unreadable, next: position }
    })
  }

  /** Everything before `next` is safely elsewhere: remember it, and empty the file once all of it is. */
  consumed(next: number): Promise<void> {
    return this.serial(async () => {
      if (!this.slot || !this.file || next <= this.offset) return
      this.offset = Math.min(next, this.size)
      if (this.offset >= this.size && this.buffer.length === 0) {
        await this.file.truncate(0)
        await this.file.datasync()
        this.size = 0
        this.offset = 0
        await rm(offsetPath(this.slot.path), { force: true })
        this.o.logger.info({ file: this.slot.path }, 'journal consumed to the end and emptied')
        return
      }
      await writeFile(offsetPath(this.slot.path), String(this.offset))
    })
  }

  /** Syncs what is buffered and lets the file go (it stays on disk when it holds anything). */
  close(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    return this.serial(async () => {
      await this.writeBuffer()
      if (!this.slot) return
      await this.file?.close()
      this.file = null
      if (this.size === 0) await rm(this.slot.path, { force: true })
      await this.slot.release()
      this.slot = null
    })
  }

  private async writeBuffer(): Promise<void> {
    if (this.buffer.length === 0) return
    if (!this.slot) {
      await mkdir(this.o.dir, { recursive: true })
      const slot = await claimSlot(this.o.dir, this.o.name, { onlyWithData: false })
      if (!slot) throw new Error(`no free journal slot for ${this.o.name} in ${this.o.dir}`)
      await this.use(slot)
    }
    const lines = this.buffer
    this.buffer = []
    // After a failed write the file may end inside a line: start on a fresh one.
    const text = `${this.torn ? '\n' : ''}${lines.join('\n')}\n`
    try {
      await this.file!.write(text)
      await this.file!.datasync()
      this.size += Buffer.byteLength(text)
      this.torn = false
    } catch (err) {
      // Kept in memory (and tried again with the next sync) rather than lost: the disk may be full for a while.
      this.buffer = lines.concat(this.buffer)
      this.torn = true
      this.size = (await stat(this.slot!.path)).size
      throw err
    }
  }

  private async use(slot: Slot): Promise<void> {
    this.slot = slot
    this.file = await open(slot.path, 'a')
    this.size = (await stat(slot.path)).size
    // No offset file: nothing of this journal was consumed yet.
    const saved = Number(await readFile(offsetPath(slot.path), 'utf8').catch(() => '0'))
    this.offset = Number.isInteger(saved) && saved >= 0 && saved <= this.size ? saved : 0
    if (this.size > 0 && this.offset === this.size) {
      // Consumed to the end by a run that stopped before emptying it.
      await this.file.truncate(0)
      this.size = 0
      this.offset = 0
      await rm(offsetPath(slot.path), { force: true })
    }
    if (this.size > 0) {
      // A crash mid-write leaves a last line without its newline: end it, so it reads as unreadable, not as the start of the next.
      const last = Buffer.alloc(1)
      const reader = await open(slot.path, 'r')
      await reader.read(last, 0, 1, this.size - 1).finally(() => reader.close())
      if (last[0] !== 10) {
        await this.file.write('\n')
        this.size += 1
      }
      this.o.logger.warn({ file: slot.path, bytes: this.size - this.offset }, 'journal left by a previous run; its records are written again')
    }
  }

  private serial<R>(op: () => Promise<R>): Promise<R> {
    const run = this.chain.then(op)
    this.chain = run.catch((err: unknown) => this.o.logger.error({ err, name: this.o.name }, 'journal file operation failed'))
    return run
  }
}

function offsetPath(journal: string): string {
  return `${journal}.offset`
}
