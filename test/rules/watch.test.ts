import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import t from 'tap'
import type { RuleSet } from '../../src/routing/index.js'
import type { RuleError } from '../../src/rules/types.js'
import { RulesWatcher } from '../../src/rules/watch.js'
import { catalog, rulesYaml, validSet } from './fixtures/rule-files.js'

/** A watcher over `dir` whose reloads and errors arrive as awaitable events. */
function watchRules(teardown: (fn: () => void) => void, dir: string) {
  const reloads: RuleSet[] = []
  const failures: (readonly RuleError[])[] = []
  let wake: (() => void) | null = null
  const watcher = new RulesWatcher({
    dir,
    catalog,
    debounceMs: 20,
    onReload: (ruleSet) => { reloads.push(ruleSet); wake?.() },
    onError: (errors) => { failures.push(errors); wake?.() },
  })
  teardown(() => watcher.close())
  const next = () => new Promise<void>((resolve) => { wake = resolve })
  return { watcher, reloads, failures, next }
}

t.test('starting loads the set and hands it to onReload', async (t) => {
  const { watcher, reloads } = watchRules((fn) => t.teardown(fn), t.testdir(validSet()))
  const first = await watcher.start()
  t.equal(first.ok, true)
  t.equal(reloads.length, 1)
  t.equal(watcher.current, reloads[0])
})

t.test('a good edit is compiled and swapped in', async (t) => {
  const dir = t.testdir(validSet())
  const { watcher, reloads, next } = watchRules((fn) => t.teardown(fn), dir)
  await watcher.start()
  const before = watcher.current!
  const reloaded = next()
  await writeFile(join(dir, 'rules.yaml'), rulesYaml.replace('queue: vip', 'queue: vip-overflow'))
  await reloaded
  t.equal(reloads.length, 2)
  t.not(watcher.current!.version, before.version)
  t.same(watcher.current!.rules[0]!.otherwise, { kind: 'queue', queue: 'vip-overflow' })
  t.same(before.rules[0]!.otherwise, { kind: 'queue', queue: 'vip' }, 'the old set is untouched for calls in flight')
})

t.test('a broken edit reports its errors and keeps the old set', async (t) => {
  const dir = t.testdir(validSet())
  const { watcher, reloads, failures, next } = watchRules((fn) => t.teardown(fn), dir)
  await watcher.start()
  const before = watcher.current
  const failed = next()
  await writeFile(join(dir, 'rules.yaml'), rulesYaml.replace('strategy: longest-idle', 'strategy: fastest'))
  await failed
  t.equal(failures.length, 1)
  t.match(failures[0], [{ file: 'rules.yaml', line: 9, col: 19, message: /unknown strategy 'fastest'/ }])
  t.equal(reloads.length, 1, 'nothing new was handed over')
  t.equal(watcher.current, before)
})

t.test('a fix after a broken edit is swapped in', async (t) => {
  const dir = t.testdir(validSet())
  const { watcher, reloads, next } = watchRules((fn) => t.teardown(fn), dir)
  await watcher.start()
  let event = next()
  await writeFile(join(dir, 'rules.yaml'), 'rules: [')
  await event
  event = next()
  await writeFile(join(dir, 'rules.yaml'), rulesYaml.replace('ring: 30s', 'ring: 45s'))
  await event
  t.equal(reloads.length, 2)
  t.same(watcher.current!.rules[0]!.steps[1], { kind: 'team', team: 'vip-desk', strategy: 'longest-idle', ringSeconds: 45 })
})

t.test('a burst of writes is compiled once', async (t) => {
  const dir = t.testdir(validSet())
  const { watcher, reloads, next } = watchRules((fn) => t.teardown(fn), dir)
  await watcher.start()
  const reloaded = next()
  for (const seconds of [31, 32, 33, 34]) {
    await writeFile(join(dir, 'rules.yaml'), rulesYaml.replace('ring: 30s', `ring: ${seconds}s`))
  }
  await reloaded
  await new Promise((resolve) => setTimeout(resolve, 100))
  t.equal(reloads.length, 2)
  t.equal((watcher.current!.rules[0]!.steps[1] as { ringSeconds: number }).ringSeconds, 34)
})

t.test('a new file in the folder joins the set', async (t) => {
  const dir = t.testdir(validSet())
  const { watcher, next } = watchRules((fn) => t.teardown(fn), dir)
  await watcher.start()
  const reloaded = next()
  await writeFile(join(dir, '00-blocked.yaml'), 'rules:\n  - name: blocked\n    when: customer.blocked\n    then: { reject: 603 }\n')
  await reloaded
  t.same(watcher.current!.rules.map((r) => r.name), ['blocked', 'VIP customers', 'everyone else'])
})
