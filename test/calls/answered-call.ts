import type { CallRecord } from '../../src/calls/call-record.js'

/** Monday 2026-11-23, 11:00 in Moscow: the clock the record fixtures start from. */
export const T0 = Date.parse('2026-11-23T08:00:00Z')

/** A whole answered call record of 2 minutes' talk, as the recorder hands it to the writer. */
export function answeredCall(id: string, overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    id,
    kind: 'call',
    channel: 'sip',
    direction: 'inbound',
    caller: '+79161234567',
    callerName: 'Ivan',
    dialed: '+74951234567',
    customerId: null,
    leadId: null,
    agentId: 'a-anna',
    rule: 'VIP customers',
    source: 'yandex',
    campaign: 'spring-crm',
    outcome: 'answered',
    endCause: 'normal clearing',
    finalAction: null,
    degraded: false,
    offeredAt: T0,
    routedAt: T0 + 2,
    ringingAt: T0 + 100,
    answeredAt: T0 + 8_000,
    endedAt: T0 + 128_000,
    trace: { rulesTried: [], steps: [] },
    steps: [
      { at: T0 + 2, kind: 'routed', agentId: 'a-anna', data: { rule: 'VIP customers' } },
      { at: T0 + 8_000, kind: 'answered', agentId: 'a-anna', data: null },
      { at: T0 + 128_000, kind: 'ended', agentId: null, data: { outcome: 'answered' } }
    ],
    ...overrides
  }
}
