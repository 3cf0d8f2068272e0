import { MIGRATIONS_DIR } from '../app.js'
import { loadConfigOrExit } from '../config.js'
import { openDatabase } from '../crm/database.js'
import { migrate } from '../crm/migrate.js'

// `npm run migrate`: applies the SQL migrations in sql/ to DATABASE_URL (or the
// embedded database in DATA_DIR, which must not be open in a running server).
const config = loadConfigOrExit()
try {
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: 1, timeoutMs: config.DB_TIMEOUT_MS })
  try {
    const unhurried = await database.unhurried()
    const result = await migrate(unhurried.db, MIGRATIONS_DIR).finally(() => unhurried.close())
    console.log(`${database.kind}: applied ${result.applied.length} migration(s)${result.applied.length ? `: ${result.applied.join(', ')}` : ''}; ${result.alreadyApplied.length} already applied`)
  } finally {
    await database.close()
  }
} catch (err) {
  console.error(`migration failed: ${(err as Error).message}`)
  process.exitCode = 1
}
