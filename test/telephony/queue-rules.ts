import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'

const SHIPPED = new URL('../../routing-rules/', import.meta.url).pathname

/**
 * The peak-hour rules of the queue tests: known customers (the VIPs of the scene, priority 10)
 * and new callers (priority 0) both go to the sales team, and both wait in the `sales` queue
 * when nobody there is free, so one freed seller has to choose between them.
 */
export const PEAK_HOUR_RULES = `rules:
  - name: known customers first
    when: caller.known
    priority: 10
    route:
      - team: sales
        strategy: longest-idle
        ring: 20s
    otherwise:
      queue: sales

  - name: new callers
    when: caller.known == false
    route:
      - team: sales
        strategy: longest-idle
        ring: 20s
    otherwise:
      queue: sales

fallback:
  voicemail:
`

/**
 * A rules folder with the shipped files (lines, calendar, queues) and the peak-hour rules; removed at
 * teardown. `announceEvery` (e.g. '5s') replaces every queue's `announce every`.
 */
export async function peakHourRulesDir(t: Test, options: { announceEvery?: string } = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'queue-rules-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  for (const file of await readdir(SHIPPED)) {
    if (!file.endsWith('.yaml') || file === 'rules.yaml') continue
    let text = await readFile(join(SHIPPED, file), 'utf8')
    if (file === 'queues.yaml' && options.announceEvery) text = text.replace(/announce every: \S+/g, `announce every: ${options.announceEvery}`)
    await writeFile(join(dir, file), text)
  }
  await writeFile(join(dir, 'rules.yaml'), PEAK_HOUR_RULES)
  return dir
}
