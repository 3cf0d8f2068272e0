import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import type { CallRecord } from '../calls/call-record.js'
import type { InteractionEvent } from '../interactions/interaction-router.js'
import type { AgentStatus } from '../routing/types.js'

/** Where the live gauges read their values at scrape time. */
export interface MetricsSources {
  /** Every agent's current status. */
  agentStatuses: () => Iterable<AgentStatus>
  /** Call records waiting for the database. */
  pendingCallRecords: () => number
  /** Agent pages connected to the screen-pop channel. */
  screenPopClients: () => number
}

/** What the metrics read of the agent states shared through Redis. */
export interface SharedStoreHealth {
  /** Redis unreachable, or reservations not confirmed in time lately. */
  readonly degraded: boolean
  onUnconfirmed(listener: (outcome: 'withdrawn' | 'kept') => void): void
}

/** Transports whose reconnections are counted. */
export type Transport = 'sip' | 'ami' | 'redis' | 'postgresql'

const AGENT_STATUSES: readonly AgentStatus[] = ['offline', 'available', 'ringing', 'busy', 'wrap-up', 'away']
const NO_LINE = 'none'
/** Whatever was dialed that is not a configured line: one series for all of them. */
const OTHER_LINE = 'other'
// prom-client escapes \, " and newline; any other control character would be written raw.
const CONTROL_CHARACTERS = /[\u0000-\u0009\u000b-\u001f\u007f]/g
const MAX_LABEL_LENGTH = 64

/**
 * The server's live metrics in Prometheus form: calls by line and outcome,
 * how long the routing core takes to decide, agents by state, the call-record
 * queue, connected agent pages, and reconnections per transport. One registry
 * per App, so that several servers in one process (tests) never share counts.
 */
export class Metrics {
  readonly registry = new Registry()
  readonly callsOffered: Counter<'line'>
  readonly callsAnswered: Counter<'line'>
  readonly callsMissed: Counter<'line' | 'outcome'>
  readonly decisionSeconds: Histogram
  /** Adapters (or the composition root for them) increment this on every reconnection. */
  readonly reconnects: Counter<'transport'>
  /**
   * The lines calls were routed on: numbers the line directory knew (configured in the rules or the
   * CRM). A dialed number outside it counts as `other`, so dialed strings cannot add series.
   */
  private readonly knownLines = new Set<string>()
  /** Reservations Redis did not confirm: `withdrawn` after timing out, `kept` on this process while Redis was unreachable. */
  readonly reservationsUnconfirmed: Counter<'outcome'>
  private sharedStore: SharedStoreHealth | null = null
  /** Task notices that had nobody to go to (no assignee, no team lead), by cause: logged once, counted here. */
  readonly taskNoticesUndelivered: Counter<'cause'>
  /** INVITEs answered 503 because the server was past capacity, by cause. */
  readonly sipCallsShed: Counter<'cause'>

  constructor(sources: MetricsSources) {
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry, prefix: 'cti_' })
    this.callsOffered = new Counter({ name: 'cti_calls_offered_total', help: 'Inbound interactions routed, by dialed line', labelNames: ['line'], registers })
    this.callsAnswered = new Counter({ name: 'cti_calls_answered_total', help: 'Interactions answered by an agent, by dialed line', labelNames: ['line'], registers })
    this.callsMissed = new Counter({ name: 'cti_calls_missed_total', help: 'Inbound calls that ended unanswered (missed or abandoned), by dialed line', labelNames: ['line', 'outcome'], registers })
    this.decisionSeconds = new Histogram({
      name: 'cti_routing_decision_seconds',
      help: 'Time the routing core takes to decide (pure, in memory)',
      buckets: [0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01],
      registers
    })
    this.reconnects = new Counter({ name: 'cti_reconnects_total', help: 'Reconnections to an outside system, by transport', labelNames: ['transport'], registers })
    this.reservationsUnconfirmed = new Counter({
      name: 'cti_reservations_unconfirmed_total',
      help: 'Reservations Redis did not confirm: withdrawn after timing out, or kept on this process while Redis was unreachable (degraded)',
      labelNames: ['outcome'],
      registers
    })
    this.taskNoticesUndelivered = new Counter({ name: 'cti_task_notices_undelivered_total', help: 'Task reminders and escalations that had nobody to go to, by cause (no-assignee, no-team-lead)', labelNames: ['cause'], registers })
    this.sipCallsShed = new Counter({ name: 'cti_sip_calls_shed_total', help: 'INVITEs answered 503 with Retry-After because the server was past capacity, by cause (calls-deciding, loop-lag)', labelNames: ['cause'], registers })
    const metrics = this
    new Gauge({
      name: 'cti_redis_degraded',
      help: '1 while agent states shared through Redis are degraded (Redis unreachable, or reservations not confirmed in time lately), else 0',
      registers,
      collect() {
        this.set(metrics.sharedStore?.degraded ? 1 : 0)
      }
    })
    new Gauge({
      name: 'cti_agents',
      help: 'Agents by current state',
      labelNames: ['state'],
      registers,
      collect() {
        const counts = new Map<AgentStatus, number>(AGENT_STATUSES.map((s) => [s, 0]))
        for (const status of sources.agentStatuses()) counts.set(status, (counts.get(status) ?? 0) + 1)
        for (const [state, count] of counts) this.set({ state }, count)
      }
    })
    new Gauge({
      name: 'cti_call_records_pending',
      help: 'Finished call records not yet written to the database',
      registers,
      collect() {
        this.set(sources.pendingCallRecords())
      }
    })
    new Gauge({
      name: 'cti_screenpop_clients',
      help: 'Agent pages connected to the screen-pop channel',
      registers,
      collect() {
        this.set(sources.screenPopClients())
      }
    })
  }

  /** Follows the agent states shared through Redis: the unconfirmed reservations and the degraded gauge. */
  followSharedStore(store: SharedStoreHealth): void {
    this.sharedStore = store
    store.onUnconfirmed((outcome) => this.reservationsUnconfirmed.inc({ outcome }))
  }

  /** Counts the task notices that had nobody to go to. */
  followTaskReminders(reminders: { onUndelivered(listener: (cause: string) => void): void }): void {
    reminders.onUndelivered((cause) => this.taskNoticesUndelivered.inc({ cause }))
  }

  /** Counts a reconnection of a transport. */
  reconnected(transport: Transport): void {
    this.reconnects.inc({ transport })
  }

  /** The InteractionRouter listener: inbound interactions offered, by line. */
  readonly interaction = (event: InteractionEvent): void => {
    if (event.type !== 'routed' || event.request.direction !== 'inbound') return
    const line = event.routed.line?.number
    if (line !== undefined) this.knownLines.add(line)
    this.callsOffered.inc({ line: line !== undefined ? labelValue(line) : event.request.dialed === null ? NO_LINE : OTHER_LINE })
  }

  /** The CallRecorder's finished-record listener: answered and unanswered, by line. */
  readonly finished = (record: Readonly<CallRecord>): void => {
    const line = record.dialed === null ? NO_LINE : this.knownLines.has(record.dialed) ? labelValue(record.dialed) : OTHER_LINE
    if (record.outcome === 'answered') this.callsAnswered.inc({ line })
    else if (record.direction === 'inbound' && (record.outcome === 'missed' || record.outcome === 'abandoned')) this.callsMissed.inc({ line, outcome: record.outcome })
  }

  /** The text exposition format. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}

/** A label value safe to write: control characters replaced, length bounded. */
function labelValue(text: string): string {
  return text.slice(0, MAX_LABEL_LENGTH).replace(CONTROL_CHARACTERS, '\uFFFD')
}
