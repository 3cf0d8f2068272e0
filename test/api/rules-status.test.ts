import { cp, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { request, testApp } from '../helpers/test-app.js'

/** A server watching its own copy of the shipped rules, and the rules file to edit. */
async function watchedRules(t: Test) {
  const dir = t.testdir()
  await cp('routing-rules', dir, { recursive: true })
  const { url } = await testApp(t, { RULES_DIR: dir, RULES_WATCH: 'true' })
  const file = join(dir, 'rules.yaml')
  const good = await readFile(file, 'utf8')
  const status = async () => (await request(`${url}/v1/rules`)).body
  const before = await status()
  await writeFile(file, good.replace('strategy: fewest-calls', 'strategy: loudest-voice'))
  const refused = await poll(status, (b) => b.rejectedEdit !== null)
  t.match(refused.rejectedEdit?.errors[0], /loudest-voice/, 'the broken edit is refused')
  return { file, good, status, before }
}

t.test('a refused rules edit that is reverted is no longer shown as refused', async (t) => {
  const { file, good, status, before } = await watchedRules(t)
  await writeFile(file, good)
  const after = await poll(status, (b) => b.rejectedEdit === null)
  t.equal(after.rejectedEdit, null)
  t.equal(after.version, before.version, 'the same rules are in force')
})

t.test('a refused rules edit that is fixed is no longer shown as refused', async (t) => {
  const { file, good, status, before } = await watchedRules(t)
  await writeFile(file, good.replace('name: new callers', 'name: first-time callers'))
  const after = await poll(status, (b) => b.version !== before.version)
  t.equal(after.rejectedEdit, null)
  t.ok(after.rules.some((r: { name: string }) => r.name === 'first-time callers'), 'the fixed rules are in force')
})

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let value = await read()
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    value = await read()
  }
  return value
}
