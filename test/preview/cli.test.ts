import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { openDatabase } from '../../src/crm/database.js'
import { migrate } from '../../src/crm/migrate.js'
import { childEnv } from '../helpers/child-env.js'
import { freshSchema, MIGRATIONS, TEST_DATABASE_URL } from '../helpers/test-app.js'
import { DAY, files, simulateDay, store, withoutVipYaml } from './fixture.js'

const CLI = fileURLToPath(new URL('../../src/cli/rules.ts', import.meta.url))
const CALLS = 30
const PERIOD = ['--from', new Date(DAY - 60_000).toISOString(), '--to', new Date(DAY + CALLS * 60_000).toISOString()]

interface Run { code: number; lines: string[] }

function rules(args: string[], cwd: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd, env: childEnv(env) }, (err, stdout) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, lines: stdout.trimEnd().split('\n') })
    })
  })
}

t.test('rules preview on the command line', async (t) => {
  const schema = await freshSchema(t)
  const database = await openDatabase({ url: TEST_DATABASE_URL, dataDir: '', poolSize: 2, timeoutMs: 2000, schema })
  t.teardown(() => database.close())
  await migrate(database.db, MIGRATIONS)
  await store(database.db, simulateDay(CALLS))
  const url = new URL(TEST_DATABASE_URL)
  url.searchParams.set('options', `-c search_path=${schema}`)
  const env = { DATABASE_URL: url.toString() }
  const cwd = t.testdir({ same: files, edited: { ...files, 'rules.yaml': withoutVipYaml }, broken: { ...files, 'rules.yaml': files['rules.yaml'].replace('team: support', 'team: supprt') } })

  t.test('an unchanged copy prints 0 changed and exits 0', async (t) => {
    const run = await rules(['preview', 'same', ...PERIOD], cwd, env)
    t.equal(run.code, 0, run.lines.join('\n'))
    t.match(run.lines[1], `changed 0 (0 %)   replayed ${CALLS}   unchanged ${CALLS}`)
  })

  t.test('a removed rule prints the calls that move and exits 0', async (t) => {
    const run = await rules(['preview', 'edited', ...PERIOD, '--sample', '2'], cwd, env)
    t.equal(run.code, 0, run.lines.join('\n'))
    t.match(run.lines[1], /^changed 10 \(33\.33 %\)/)
    t.ok(run.lines.some((l) => /^agent a-(anna|boris) -> agent a-(clara|dmitri)/.test(l)), 'moves from the VIP desk to support')
    t.ok(run.lines.includes('examples (2 of 10 changed)'))
  })

  t.test('--fail-if-changed exits 1 past the percentage', async (t) => {
    const over = await rules(['preview', 'edited', ...PERIOD, '--fail-if-changed', '5'], cwd, env)
    t.equal(over.code, 1)
    t.match(over.lines.at(-1), 'more than the 5 % allowed')
    const under = await rules(['preview', 'edited', ...PERIOD, '--fail-if-changed', '50'], cwd, env)
    t.equal(under.code, 0)
  })

  t.test('a candidate that does not compile gives the errors of rules check and exits 1', async (t) => {
    const preview = await rules(['preview', 'broken', ...PERIOD], cwd, env)
    const check = await rules(['check', 'broken'], cwd, env)
    t.equal(preview.code, 1)
    t.equal(check.code, 1)
    t.match(preview.lines[0], /^broken\/rules\.yaml:\d+:\d+: /)
    t.same(preview.lines, check.lines)
  })
})
