import type { Test } from 'tap'
import { request, testApp } from '../helpers/test-app.js'
import { rulesDir } from '../api/queue-fixture.js'

export const CUSTOMER = '+79162220001'
export const STRANGER = '+79162220002'

/** Known callers wait `wait` for their owner, then for the floor; strangers go to the floor. */
export const rules = (wait: string | null) => `rules:
  - name: known
    when: caller.known
    route:
      - owner:
        ring: 10m${wait ? `\n        wait: ${wait}` : ''}
${wait ? '      - team: floor\n        strategy: longest-idle\n        ring: 10m\n' : ''}    otherwise:
      queue: floor
  - name: strangers
    route:
      - team: floor
        strategy: longest-idle
        ring: 10m
    otherwise:
      queue: floor
`

export async function floor(t: Test, wait: string | null, agents: string[]) {
  const server = await testApp(t, { RULES_DIR: await rulesDir(t, rules(wait)), WRAP_UP_SECONDS: '0' })
  for (const id of agents) {
    await request(`${server.url}/v1/agents/${id}`, { method: 'PUT', body: { name: id, team: 'floor', sipUri: `sip:${id}@pbx.example.com` } })
    await request(`${server.url}/v1/agents/${id}/state`, { method: 'PUT', body: { state: 'available' } })
  }
  const customer = await request(`${server.url}/v1/customers`, { method: 'POST', body: { name: 'Olga Owned', ownerAgentId: agents[0], phones: [{ phone: CUSTOMER }] } })
  return { ...server, customerId: customer.body.id as number }
}

export const route = (url: string, callId: string, caller: string) => request(`${url}/v1/route`, { method: 'POST', body: { caller, dialed: null, callId } })
