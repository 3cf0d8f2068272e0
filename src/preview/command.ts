/**
 * `rules preview <dir> [--since 7d | --from … --to …] [--sample 20] [--fail-if-changed P] [--catalog file]`:
 * replays the period's calls from the database (DATABASE_URL, or the embedded one in DATA_DIR when
 * no server has it open) through the rules in <dir>, prints the report, and exits 0 — or 1 when the
 * rules do not compile, or when more than P percent of the calls would change.
 */
import { relative, resolve } from 'node:path'
import { loadConfig } from '../config.js'
import { loadCatalog } from '../crm/agent.repository.js'
import { openDatabase } from '../crm/database.js'
import { formatRuleError, sortRuleErrors } from '../rules/errors.js'
import type { CommandIo } from '../rules/commands.js'
import { candidateFromDir } from './candidate.js'
import { periodOf, runPreview } from './preview.js'
import { formatReport } from './report.js'

const USAGE = 'usage: rules preview <dir> [--since 7d | --from <time> --to <time>] [--sample 20] [--fail-if-changed <percent>] [--catalog file]'

interface Args {
  dir: string
  since: string | null
  from: string | null
  to: string | null
  sample: number
  failIfChanged: number | null
  catalog: string | null
}

export async function runPreviewCommand(argv: readonly string[], io: CommandIo & { env?: NodeJS.ProcessEnv; now?: () => number }): Promise<number> {
  const args = parseArgs(argv)
  if (typeof args === 'string') {
    io.out(args)
    io.out(USAGE)
    return 2
  }
  const period = periodOf(args, (io.now ?? Date.now)())
  if (typeof period === 'string') {
    io.out(period)
    return 2
  }
  let config
  try {
    config = loadConfig(io.env ?? process.env)
  } catch (err) {
    io.out((err as Error).message)
    return 2
  }
  const dir = resolve(io.cwd, args.dir)
  const show = (file: string): string => relative(io.cwd, resolve(dir, file)) || '.'
  let database
  try {
    database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: 2, timeoutMs: config.DB_TIMEOUT_MS })
  } catch (err) {
    io.out(`CTI_ERR_DB_UNAVAILABLE: cannot open the database to read past calls (${(err as Error).message}); set DATABASE_URL, or stop the server that holds the embedded database in ${config.DATA_DIR}`)
    return 1
  }
  try {
    const candidate = await candidateFromDir(dir, await loadCatalog(database.db), args.catalog ? resolve(io.cwd, args.catalog) : undefined)
    if (!candidate.ok) {
      for (const e of sortRuleErrors(candidate.errors)) io.out(formatRuleError(e, show))
      io.out(`${candidate.errors.length} error${candidate.errors.length === 1 ? '' : 's'}`)
      return 1
    }
    const report = await runPreview(database.db, candidate.ruleSet, period, { sample: args.sample })
    for (const line of formatReport(report)) io.out(line)
    if (args.failIfChanged !== null && report.changedPercent > args.failIfChanged) {
      io.out(`${report.changedPercent} % of the calls would change, more than the ${args.failIfChanged} % allowed (--fail-if-changed)`)
      return 1
    }
    return 0
  } catch (err) {
    io.out(`CTI_ERR_PREVIEW_FAILED: the preview could not read past calls: ${(err as Error).message} (are the migrations applied? npm run migrate)`)
    return 1
  } finally {
    await database.close()
  }
}

function parseArgs(argv: readonly string[]): Args | string {
  const args: Args = { dir: '', since: null, from: null, to: null, sample: 20, failIfChanged: null, catalog: null }
  const rest = [...argv]
  while (rest.length > 0) {
    const a = rest.shift()!
    const eq = a.indexOf('=')
    const [name, inline] = a.startsWith('--') && eq > 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined]
    const value = (): string | null => inline ?? rest.shift() ?? null
    switch (name) {
      case '--since': case '--from': case '--to': case '--catalog': {
        const v = value()
        if (v === null) return `${name} needs a value`
        args[name.slice(2) as 'since' | 'from' | 'to' | 'catalog'] = v
        break
      }
      case '--sample': case '--fail-if-changed': {
        const v = value()
        const n = v === null ? Number.NaN : Number(v)
        if (!Number.isFinite(n) || n < 0 || (name === '--sample' && !Number.isInteger(n))) return `${name} needs a number 0 or more, got '${v ?? ''}'`
        if (name === '--sample') args.sample = n
        else args.failIfChanged = n
        break
      }
      default:
        if (a.startsWith('-')) return `unknown option '${a}'`
        if (args.dir !== '') return `unexpected argument '${a}'`
        args.dir = a
    }
  }
  if (args.dir === '') return 'the candidate rules folder is missing'
  return args
}
