import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { Type } from 'typebox'
import { allowedValues, CONFIG_DOCS_PATH, configTable, TABLE_END, TABLE_START, withConfigTable } from '../../scripts/config-docs.js'
import { describeConfig } from '../../src/config.js'
import { childEnv } from '../helpers/child-env.js'

// docs/configuration.md's table of settings is written from the config schema by
// `npm run docs:config`; these tests keep the page and the schema from drifting apart.

const run = promisify(execFile)
const SCRIPT = new URL('../../scripts/config-docs.ts', import.meta.url).pathname

t.test('docs/configuration.md holds the table the config schema gives (else run npm run docs:config)', async (t) => {
  const page = await readFile(CONFIG_DOCS_PATH, 'utf8')
  t.equal(page, withConfigTable(page), 'the page is what npm run docs:config writes')
})

t.test('every setting has a row with its default', async (t) => {
  const table = configTable()
  for (const setting of describeConfig()) {
    const shown = setting.default === undefined ? 'unset' : `\`${typeof setting.default === 'string' ? setting.default : JSON.stringify(setting.default)}\``
    t.match(table, `| \`${setting.name}\` | `, `${setting.name} has a row`)
    t.ok(table.split('\n').some((row) => row.startsWith(`| \`${setting.name}\` |`) && row.includes(` | ${shown} | `)), `${setting.name} shows its default ${shown}`)
  }
})

t.test('allowed values are read from the schema as start-up validates them', async (t) => {
  t.equal(allowedValues(Type.Integer({ minimum: 1, maximum: 65535 })), 'an integer 1..65535')
  t.equal(allowedValues(Type.Integer({ minimum: 1024 }), 'bytes'), 'bytes ≥ 1024')
  t.equal(allowedValues(Type.Enum(['redirect', 'in-path'])), '`redirect`, `in-path`')
  t.equal(allowedValues(Type.Union([Type.Literal(480), Type.Literal(486)])), '`480` or `486`')
  t.equal(allowedValues(Type.Boolean()), '`true` or `false`')
  t.equal(allowedValues(Type.String({ minLength: 16, pattern: '^\\S+$' })), 'text, at least 16 characters, matching `^\\S+$`')
  t.equal(
    allowedValues(Type.Array(Type.String({ pattern: '^[a-z]+$' }), { minItems: 2, uniqueItems: true })),
    'a JSON array of texts, each matching `^[a-z]+$`, at least 2, all different'
  )
})

t.test('a bar in a value is escaped so that it stays in its cell', async (t) => {
  const table = configTable([{ name: 'SECRET', default: undefined, expected: 'x', description: 'no spaces or |', optional: true, schema: Type.String({ pattern: '^[^|]+$' }) }])
  t.equal(table.split('\n')[2], '| `SECRET` | text, matching `^[^\\|]+$` | unset | no spaces or \\| |')
})

t.test('a page without the markers is refused, naming the lines to add', async (t) => {
  const err = t.throws(() => withConfigTable('# Configuration\n')) as Error
  t.ok(err.message.includes(`${TABLE_START}\n${TABLE_END}`), err.message)
})

t.test('npm run docs:config rewrites a stale table and leaves a current one alone', async (t) => {
  const dir = t.testdir()
  const path = join(dir, 'configuration.md')
  await writeFile(path, `# Configuration\n\nIntro stays.\n\n${TABLE_START}\n| Variable | Default |\n| \`PORT\` | 80 |\n${TABLE_END}\n\nOutro stays.\n`)

  const first = await run(process.execPath, ['--import', 'tsx', SCRIPT, path], { cwd: dir, env: childEnv() })
  t.match(first.stdout, /settings table written/)
  const written = await readFile(path, 'utf8')
  t.equal(written, `# Configuration\n\nIntro stays.\n\n${TABLE_START}\n${configTable()}\n${TABLE_END}\n\nOutro stays.\n`)

  const second = await run(process.execPath, ['--import', 'tsx', SCRIPT, path], { cwd: dir, env: childEnv() })
  t.match(second.stdout, /up to date/)
  t.equal(await readFile(path, 'utf8'), written, 'a second run changes nothing')
})
