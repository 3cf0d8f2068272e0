import type { Test } from 'tap'
import { MONDAY_11_MSK, request, testApp } from '../../helpers/test-app.js'
import { AmiStandIn } from './ami-stand-in.js'

/** The callers of the AMI tests. */
export const CALLERS = {
  /** Ivan Petrov, a known customer owned by Anna (1001). */
  ivan: '+79161234567',
  /** A caller nobody knows. */
  stranger: '+79035550011'
} as const
/** The Spring CRM campaign's number (routing-rules/lines.yaml). */
export const SPRING_CRM_LINE = '+74951234567'

/**
 * A small CRM on the shipped rules: Anna (sales, 1001) owns Ivan; Fedor (support, 1006) is
 * the support team the "known customers" rule ends with; Boris (sales, 1002) for new callers.
 */
export async function seedCrm(url: string, headers?: Record<string, string>): Promise<void> {
  const agents = [
    ['a-anna', { name: 'Anna', extension: '1001', team: 'sales' }],
    ['a-boris', { name: 'Boris', extension: '1002', team: 'sales' }],
    ['a-fedor', { name: 'Fedor', extension: '1006', team: 'support' }]
  ] as const
  for (const [id, body] of agents) {
    const put = await request(`${url}/v1/agents/${id}`, { method: 'PUT', headers, body })
    if (put.status !== 200) throw new Error(`agent ${id}: ${JSON.stringify(put.body)}`)
    await request(`${url}/v1/agents/${id}/state`, { method: 'PUT', headers, body: { state: 'available' } })
  }
  const customer = await request(`${url}/v1/customers`, { method: 'POST', headers, body: { name: 'Ivan Petrov', ownerAgentId: 'a-anna', phones: [{ phone: CALLERS.ivan }] } })
  if (customer.status !== 201) throw new Error(`customer: ${JSON.stringify(customer.body)}`)
}

/** A whole server on real PostgreSQL with a small CRM, connected to an AMI stand-in, on a clock the test moves. */
export async function amiTestApp(t: Test, env: Record<string, string> = {}) {
  const standIn = new AmiStandIn()
  const port = await standIn.listen()
  t.teardown(() => standIn.close())
  const server = await serverWithAmi(t, { AMI_HOST: '127.0.0.1', AMI_PORT: String(port), AMI_USER: 'cti', AMI_SECRET: 'cti-secret', ...env })
  return { ...server, standIn }
}

/** The same server connected to any AMI (the stand-in, or a real Asterisk). */
export async function serverWithAmi(t: Test, env: Record<string, string>) {
  const clock = { now: MONDAY_11_MSK }
  const server = await testApp(t, { AMI_ACTION_TIMEOUT_MS: '2000', AMI_RECONNECT_MAX_MS: '500', ...env }, { now: () => clock.now })
  await seedCrm(server.url, env.ADMIN_TOKEN ? { authorization: `Bearer ${env.ADMIN_TOKEN}` } : undefined)
  await until(async () => (await request(`${server.url}/ready`, { headers: env.ADMIN_TOKEN ? { authorization: `Bearer ${env.ADMIN_TOKEN}` } : {} })).body.checks?.ami?.ok === true)
  const db = server.app.database.db
  return {
    ...server,
    clock,
    /** The records of the AMI channel's calls that have ended so far (waits for the recorder first; calls in progress have a row too). */
    async records() {
      await server.app.calls.flush()
      return db.selectFrom('calls').selectAll().where('channel', '=', 'ami').where('outcome', 'is not', null).orderBy('offered_at').execute()
    },
    async steps(callId: string) {
      await server.app.calls.flush()
      return (await db.selectFrom('call_events').selectAll().where('call_id', '=', callId).orderBy('id').execute()).map((e) => e.kind)
    }
  }
}

/** The n-th action of that name the stand-in received, once it has. */
export async function nthAction(standIn: AmiStandIn, name: string, n = 1) {
  await until(() => standIn.actions.filter((a) => a.name === name.toLowerCase()).length >= n)
  return standIn.actions.filter((a) => a.name === name.toLowerCase())[n - 1]!
}

/** Waits until the condition holds (polling), failing after a few seconds. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition.toString()}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
