import type { App } from '../../src/app.js'
import { request } from '../helpers/test-app.js'

export const IVAN = '+79161234567'
export const SPRING_LINE = '+74951234567'
export const NEWCOMER = '+79035550101'

/** Everything published to an agent's page so far (kept events, replayed). */
export function eventsOf(app: App, agentId: string): any[] {
  const frames: any[] = []
  const subscription = app.screenPops.subscribe(agentId, 0, { send: (frame) => frames.push(JSON.parse(frame)), backlog: () => 0, resync: () => undefined })
  subscription.unsubscribe()
  return frames.filter((f) => f.type !== 'hello')
}

/** Waits until call records and the workflow jobs they started are written. */
export async function settle(app: App): Promise<void> {
  await app.calls.flush()
  await app.workflows.settled()
  await app.calls.flush()
  await app.workflows.settled()
}

/** A call routed over HTTP that ends as given (missed, abandoned) or is answered by its first target. */
export async function call(url: string, callId: string, caller: string, outcome: 'answered' | 'missed' | 'abandoned', dialed = SPRING_LINE): Promise<{ agentId: string | null }> {
  const routed = await request(`${url}/v1/route`, { method: 'POST', body: { caller, dialed, callId } })
  const agentId: string | null = routed.body.decision.targets[0]?.agentId ?? null
  if (outcome === 'answered') {
    await request(`${url}/v1/interactions/${callId}/answered`, { method: 'POST', body: { agentId } })
    await request(`${url}/v1/interactions/${callId}/ended`, { method: 'POST' })
  } else {
    await request(`${url}/v1/interactions/${callId}/ended`, { method: 'POST', body: { outcome } })
  }
  return { agentId }
}
