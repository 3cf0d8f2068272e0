import { execFile } from 'node:child_process'
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { childEnv } from '../helpers/child-env.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = join(ROOT, 'bin', 'cti.js')

interface Run { code: number; stdout: string; stderr: string }

function cti(bin: string, args: string[], cwd = ROOT): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd, env: childEnv() }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0
      resolve({ code, stdout, stderr })
    })
  })
}

/** A package folder with the bin and the given files, e.g. { 'dist/cli/rules.js': '…' }. */
async function install(dir: string, files: Record<string, string>): Promise<string> {
  await mkdir(join(dir, 'bin'), { recursive: true })
  await copyFile(BIN, join(dir, 'bin', 'cti.js'))
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true })
    await writeFile(join(dir, path), text)
  }
  return join(dir, 'bin', 'cti.js')
}

/** An entry point that says which file ran and what arguments it was given. */
const entry = (kind: string) => `process.stdout.write(JSON.stringify({ kind: '${kind}', args: process.argv.slice(2), node: process.version }))\n`

t.test('an unknown command names itself, lists the commands and exits 2', async (t) => {
  const run = await cti(BIN, ['strat'])
  t.equal(run.code, 2)
  t.match(run.stderr, /^unknown command 'strat'\nusage: cti <command>\n/)
  for (const command of ['start', 'migrate', 'demo-load', 'rules check|test']) t.match(run.stderr, `  cti ${command}`)
  t.equal(run.stdout, '')
})

t.test('no command at all lists the commands and exits 2', async (t) => {
  const run = await cti(BIN, [])
  t.equal(run.code, 2)
  t.match(run.stderr, /^no command given\nusage: cti <command>\n/)
})

t.test('help lists the commands on stdout and exits 0', async (t) => {
  const run = await cti(BIN, ['help'])
  t.equal(run.code, 0)
  t.match(run.stdout, /^usage: cti <command>\n/)
})

t.test('rules check passes on the shipped rules', async (t) => {
  const run = await cti(BIN, ['rules', 'check'])
  if (!t.equal(run.code, 0, 'exits 0')) t.comment(run.stdout, run.stderr)
  t.match(run.stdout, /^routing-rules: ok — /)
})

t.test('rules test runs the shipped rules tests', async (t) => {
  const run = await cti(BIN, ['rules', 'test'])
  if (!t.equal(run.code, 0, 'exits 0')) t.comment(run.stdout, run.stderr)
  t.match(run.stdout, /\n\d+ passed, 0 failed\n$/)
})

t.test('a wrong rules subcommand is the rules command’s usage error, exit 2', async (t) => {
  const run = await cti(BIN, ['rules', 'chek'])
  t.equal(run.code, 2)
  t.match(run.stdout, /^unknown command 'chek'\nusage: rules check\|test/)
})

t.test('in a checkout the TypeScript sources run, even beside an old build', async (t) => {
  const bin = await install(t.testdir(), { 'src/cli/rules.ts': entry('source'), 'dist/cli/rules.js': entry('compiled') })
  const run = await cti(bin, ['rules', 'check', 'somewhere'])
  t.equal(run.code, 0)
  t.match(JSON.parse(run.stdout), { kind: 'source', args: ['check', 'somewhere'] })
})

t.test('without tsx (a production install) the compiled entry point runs, with its arguments', async (t) => {
  // Outside the project, so that no node_modules above it holds tsx.
  const dir = await mkdtemp(join(tmpdir(), 'cti-bin-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const bin = await install(dir, { 'src/main.ts': entry('source'), 'dist/main.js': entry('compiled'), 'package.json': '{ "type": "module" }\n' })
  const run = await cti(bin, ['start'], dir)
  t.equal(run.code, 0)
  const ran = JSON.parse(run.stdout) as { kind: string; args: string[]; node: string }
  t.same(ran, { kind: 'compiled', args: [], node: process.version }, 'the same Node runs the command as the tests')
  t.comment(`tests and commands run on Node ${ran.node}`)
})

t.test('with neither a build nor the sources it says what is missing and exits 1', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'cti-bin-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const bin = await install(dir, { 'package.json': '{ "type": "module" }\n' })
  const run = await cti(bin, ['migrate'], dir)
  t.equal(run.code, 1)
  t.equal(run.stderr, "cti: cannot run 'migrate': neither dist/cli/migrate.js (npm run build) nor src/cli/migrate.ts with tsx (npm install) is here\n")
})
