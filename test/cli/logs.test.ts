import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { createLogger } from '../../src/logger.js'
import { childEnv } from '../helpers/child-env.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const LISTENING = /Server listening at http:\/\/127\.0\.0\.1:\d+/

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/** `npm start`'s command on the embedded database, as its own process group; stopped at teardown. */
async function start(t: Test, command: string[]): Promise<{ child: ChildProcess; output: () => string; listening: Promise<void> }> {
  const env = childEnv({ DATABASE_URL: '', DATA_DIR: t.testdir(), PORT: String(await freePort()), LOG_LEVEL: 'info', RULES_WATCH: 'false' })
  const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'], detached: true })
  let text = ''
  const listening = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString()
      if (LISTENING.test(text)) resolve()
    })
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening:\n${text}`)))
  })
  const exited = once(child, 'exit')
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM')
    await exited
  })
  return { child, output: () => text, listening }
}

t.test('npm start writes JSON lines when its output is not a terminal', async (t) => {
  const server = await start(t, [process.execPath, 'bin/cti.js', 'start'])
  await server.listening
  const lines = server.output().trimEnd().split('\n')
  t.ok(lines.length > 1, 'several lines before listening')
  for (const line of lines) t.match(JSON.parse(line), { level: Number, time: Number, msg: String }, line)
  t.ok(lines.some((line) => (JSON.parse(line) as { msg: string }).msg.startsWith('Server listening at')))
})

const hasScript = spawnSync('script', ['--version']).status === 0
t.test('npm start prints readable lines on a terminal', { skip: hasScript ? false : 'no `script` command to give it a terminal' }, async (t) => {
  // `script` runs the command on a pseudo-terminal and copies what it shows.
  const server = await start(t, ['script', '-qefc', `${process.execPath} bin/cti.js start`, '/dev/null'])
  await server.listening
  const shown = server.output()
  t.match(shown, /INFO.*database opened/)
  t.match(shown, /INFO.*Server listening at/)
  t.notMatch(shown, /"level":/, 'no JSON lines')
})

t.test('asked for pretty lines without pino-pretty installed, the logger writes JSON lines', async (t) => {
  const written: string[] = []
  const logger = createLogger('info', { pretty: true, loadPretty: () => undefined, destination: { write: (line: string) => void written.push(line) } })
  logger.info({ callId: 'c-1', agent: { token: 'secret-token' } }, 'agent reserved')
  t.equal(written.length, 1)
  t.match(JSON.parse(written[0]!), { level: 30, msg: 'agent reserved', callId: 'c-1', agent: { token: '[redacted]' } })
})
