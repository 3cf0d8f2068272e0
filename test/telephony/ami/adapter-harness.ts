import { Writable } from 'node:stream'
import pino from 'pino'
import type { Test } from 'tap'
import type { Agent } from '../../../src/crm/agent.repository.js'
import type { RouteRequest, RoutedInteraction } from '../../../src/interactions/interaction-router.js'
import { AgentIndex } from '../../../src/routing/agent-index.js'
import type { RouteDecision } from '../../../src/routing/types.js'
import { AmiAdapter, type AmiSettings } from '../../../src/telephony/ami/ami-adapter.js'
import { AmiStandIn } from './ami-stand-in.js'
import { until } from './ami-harness.js'

export const AGENTS: Agent[] = [
  { id: 'a-anna', name: 'Anna', sipUri: null, extension: '1001', team: 'sales', capacity: 1, active: true, skills: {} },
  { id: 'a-boris', name: 'Boris', sipUri: 'sip:1002@pbx.example.com', extension: null, team: 'sales', capacity: 1, active: true, skills: {} }
]

/** A lifecycle that writes down what the adapter told it and always offers `offer` (then nobody). */
export class RecordingLifecycle {
  readonly calls: [string, ...unknown[]][] = []
  offer: string[] = ['a-anna', 'a-boris']

  private decision(callId: string): RouteDecision {
    const agentId = this.offer.shift()
    return {
      interactionId: callId,
      rule: 'test',
      priority: 0,
      targets: agentId ? [{ agentId, address: agentId, ringSeconds: 20, step: 'team', reason: 'test' }] : [],
      final: { kind: 'voicemail', mailbox: null, callbackTask: true },
      trace: { rulesTried: [], steps: [] },
      reason: 'test'
    }
  }

  async route(request: RouteRequest): Promise<RoutedInteraction> {
    this.calls.push(['route', request.callId, request.caller])
    const callId = request.callId!
    return { callId, decision: this.decision(callId), caller: { phone: { ok: true, e164: request.caller } as never, customer: null }, line: null, rulesVersion: 't', degraded: false }
  }
  failed(callId: string, agentId: string, why: string): RouteDecision | null {
    this.calls.push(['failed', callId, agentId, why])
    return this.decision(callId)
  }
  answered(callId: string, agentId: string): boolean {
    this.calls.push(['answered', callId, agentId])
    return true
  }
  ended(callId: string, detail: unknown): boolean {
    this.calls.push(['ended', callId, detail])
    return true
  }
  ringing(callId: string, agentId: string): void {
    this.calls.push(['ringing', callId, agentId])
  }
  note(callId: string, kind: string, data: unknown): void {
    this.calls.push(['note', callId, kind, data])
  }
  of(kind: string): [string, ...unknown[]][] {
    return this.calls.filter((c) => c[0] === kind)
  }
}

/** The adapter alone (no database) on a stand-in, its log lines kept for the test to read. */
export async function adapterOnStandIn(t: Test, wrapUpSeconds = 0, settings: Partial<AmiSettings> = {}) {
  const standIn = new AmiStandIn()
  const port = await standIn.listen()
  const lines: { msg: string; [key: string]: unknown }[] = []
  const logger = pino({ level: 'debug' }, new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }))
  const lifecycle = new RecordingLifecycle()
  const index = new AgentIndex()
  for (const a of AGENTS) index.upsertAgent({ id: a.id, name: a.name, team: a.team, address: a.extension ?? '', capacity: 1, skills: {} }, { status: 'available' })
  const adapter = new AmiAdapter({
    settings: {
      host: '127.0.0.1',
      port,
      user: 'cti',
      secret: 'cti-secret',
      contexts: { agents: 'cti-agents', wait: 'cti-wait', final: 'cti-final' },
      outboundContext: 'cti-outbound',
      actionTimeoutMs: 1000,
      reconnectMaxMs: 500,
      wrapUpSeconds,
      ...settings
    },
    lifecycle: lifecycle as never,
    index,
    loadAgents: async () => AGENTS,
    logger,
    now: Date.now
  })
  adapter.start()
  t.teardown(async () => {
    await adapter.stop()
    await standIn.close()
  })
  await until(async () => (await adapter.ready()).ok)
  return { standIn, adapter, lifecycle, index, lines, logged: (msg: string) => lines.some((l) => l.msg === msg) }
}
