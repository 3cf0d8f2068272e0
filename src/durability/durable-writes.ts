import type { Kysely } from 'kysely'
import type { Logger } from 'pino'
import type { Database } from '../crm/schema.js'
import { DeadLetters } from './dead-letters.js'
import { SpillJournal } from './spill-journal.js'
import { WriteHealth } from './write-health.js'

/** What the background writers share: one dead-letter store, one write health for /ready, journals in DATA_DIR. */
export interface DurableWrites {
  health: WriteHealth
  deadLetters: DeadLetters
  /** The journal file `<name>.journal` in DATA_DIR. */
  journal<T>(name: string): SpillJournal<T>
}

export function durableWrites(o: { db: Kysely<Database>; dataDir: string; logger: Logger; now: () => number }): DurableWrites {
  const logger = o.logger.child({ component: 'durable-writes' })
  return {
    health: new WriteHealth(o.now),
    deadLetters: new DeadLetters({ db: o.db, dir: o.dataDir, logger }),
    journal: <T>(name: string) => new SpillJournal<T>({ dir: o.dataDir, name, logger: logger.child({ journal: name }) })
  }
}
