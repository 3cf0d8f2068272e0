import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Test } from 'tap'
import { request, testApp } from '../helpers/test-app.js'

/**
 * The peak-hour floor: VIP callers (priority 10) and everyone else wait in one queue for the
 * "floor" team; a known customer first waits a while for their owner.
 */
export const QUEUE_RULES = `rules:
  - name: vip
    when: customer.tier == "vip"
    priority: 10
    route:
      - team: floor
        strategy: longest-idle
        ring: 10m
    otherwise:
      queue: floor
  - name: everyone
    route:
      - team: floor
        strategy: longest-idle
        ring: 10m
    otherwise:
      queue: floor
fallback:
  voicemail:
`

export const VIP = '+79161110001'
export const ORDINARY = ['+79161110002', '+79161110003', '+79161110004']

/** A rules directory for one test, removed at teardown. */
export async function rulesDir(t: Test, rules = QUEUE_RULES, teams = ['floor'], queues?: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cti-queue-rules-'))
  await writeFile(join(dir, 'rules.yaml'), rules)
  if (queues) await writeFile(join(dir, 'queues.yaml'), queues)
  await writeFile(join(dir, 'catalog.yaml'), `teams: [${teams.join(', ')}]\n`)
  await writeFile(join(dir, 'calendar.yaml'), 'calendar:\n  timezone: UTC\n  hours:\n    mon-sun: 00:00-24:00\n')
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** A server whose floor has `agents` agents (capacity 1, available) and a VIP customer; no call-back placer. */
export async function queueApp(t: Test, agents: string[], options: { rules?: string; queues?: string; env?: Record<string, string> } = {}) {
  const dir = await rulesDir(t, options.rules, ['floor'], options.queues)
  const server = await testApp(t, { RULES_DIR: dir, WRAP_UP_SECONDS: '0', ...options.env })
  for (const id of agents) {
    const put = await request(`${server.url}/v1/agents/${id}`, { method: 'PUT', body: { name: id, team: 'floor', sipUri: `sip:${id}@pbx.example.com` } })
    if (put.status !== 200) throw new Error(`agent ${id}: ${JSON.stringify(put.body)}`)
    await request(`${server.url}/v1/agents/${id}/state`, { method: 'PUT', body: { state: 'available' } })
  }
  const vip = await request(`${server.url}/v1/customers`, { method: 'POST', body: { name: 'Vera VIP', tier: 'vip', phones: [{ phone: VIP }] } })
  if (vip.status !== 201) throw new Error(`customer: ${JSON.stringify(vip.body)}`)
  return server
}

/** POST /v1/route for a call from `caller` with id `callId`. */
export function route(url: string, callId: string, caller: string) {
  return request(`${url}/v1/route`, { method: 'POST', body: { caller, dialed: '+74950000001', callId } })
}
