import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { MONDAY_11_MSK, request, testApp } from '../helpers/test-app.js'

const SHIPPED = fileURLToPath(new URL('../../routing-rules/', import.meta.url))
const IVAN = '+79161234567'
const OLGA = '+79031112233'

/** The shipped rules folder, with a shadow/ copy of it that has no VIP rule. */
function rulesFolder(t: Pick<Test, 'testdir'>): string {
  const root = t.testdir({})
  const dir = join(root, 'routing-rules')
  cpSync(SHIPPED, dir, { recursive: true })
  const shadow = join(dir, 'shadow')
  mkdirSync(shadow)
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.yaml'))) cpSync(join(dir, name), join(shadow, name))
  const rules = readFileSync(join(dir, 'rules.yaml'), 'utf8')
  writeFileSync(join(shadow, 'rules.yaml'), rules.replace(/  - name: VIP customers[\s\S]*?(?=  - name: )/, ''))
  return dir
}

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await read()
    if (done(v) || i > 100) return v
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

t.test('rules preview and shadow rules over HTTP', async (t) => {
  let clock = MONDAY_11_MSK
  const rulesDir = rulesFolder(t)
  const { url } = await testApp(t, { DEMO_DATA: 'true', RULES_DIR: rulesDir }, { now: () => clock })
  t.equal((await request(`${url}/v1/demo-data`, { method: 'POST' })).status, 201)
  for (const [i, caller] of [IVAN, OLGA].entries()) {
    clock += 1000
    const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller, dialed: '+74951234567', callId: `call-${i}` } })
    t.equal(routed.status, 200)
  }

  t.test('shadow decisions are counted in /metrics, and summarized', async (t) => {
    const metrics = await until(async () => (await request(`${url}/metrics`)).body as string, (text) => /result="same"/.test(text))
    t.match(metrics, 'cti_shadow_decisions_total{result="different"} 1')
    t.match(metrics, 'cti_shadow_decisions_total{result="same"} 1')
    const summary = await until(async () => (await request(`${url}/v1/rules/shadow`)).body, (b) => b.decided === 2)
    t.match(summary, { configured: true, decided: 2, same: 1, different: 1, differentPercent: 50 })
    t.match(summary.recent[0], { callId: 'call-0', live: { rule: 'VIP customers' }, shadow: { rule: 'known customers' } })
  })

  t.test('the rules in force sent as files change no call', async (t) => {
    const files = Object.fromEntries(readdirSync(rulesDir).filter((n) => n.endsWith('.yaml')).map((n) => [n, readFileSync(join(rulesDir, n), 'utf8')]))
    const preview = await until(() => request(`${url}/v1/rules/preview`, { method: 'POST', body: { files, since: '1h' } }), (r) => r.body.replayed === 2)
    t.equal(preview.status, 200)
    t.match(preview.body, { replayed: 2, changed: 0, unchanged: 2 })
  })

  t.test('the shadow folder as a candidate shows the VIP call moving', async (t) => {
    // The call's record (with its trace) is written about a second after it was routed, while it still rings.
    const preview = await until(() => request(`${url}/v1/rules/preview`, { method: 'POST', body: { dir: join(rulesDir, 'shadow'), since: '1h' } }), (r) => Boolean(r.body.sample?.[0]?.before.trace))
    t.equal(preview.status, 200)
    t.match(preview.body, { replayed: 2, changed: 1 })
    t.match(preview.body.sample[0], { callId: 'call-0', before: { rule: 'VIP customers' }, after: { rule: 'known customers' } })
    t.ok(preview.body.sample[0].before.trace, 'the trace recorded then is beside the new one')
  })

  t.test('a folder outside the allowed base is refused', async (t) => {
    const refused = await request(`${url}/v1/rules/preview`, { method: 'POST', body: { dir: '/etc', since: '1h' } })
    t.equal(refused.status, 400)
    t.equal(refused.body.error, 'CTI_ERR_PREVIEW_DIR_REFUSED')
    const climbing = await request(`${url}/v1/rules/preview`, { method: 'POST', body: { dir: '../..', since: '1h' } })
    t.equal(climbing.body.error, 'CTI_ERR_PREVIEW_DIR_REFUSED')
  })

  t.test('candidate files that do not compile answer 422 with file:line errors', async (t) => {
    const bad = await request(`${url}/v1/rules/preview`, { method: 'POST', body: { files: { 'rules.yaml': 'rules:\n  - name: x\n    route:\n      - team: nobody\n' } } })
    t.equal(bad.status, 422)
    t.equal(bad.body.error, 'CTI_ERR_PREVIEW_RULES_INVALID')
    t.match(bad.body.details[0], /^rules\.yaml:\d+:\d+: /)
  })
})
