import type { Insertable } from 'kysely'
import { isoDate } from './customer-card.js'
import { DEMO_LINES } from './demo-directory.js'
import type { CallTable, CustomerTable, DealTable, OrderTable, PaymentTable, TaskTable } from './schema.js'

/**
 * The building blocks of the demo customers' history: calls, deals, orders and
 * tasks with realistic timings. Every time is relative to `now` and every
 * choice comes from the one seeded generator, in call order, so the same seed
 * and `now` always give the same rows.
 */

export type Rng = () => number
export type Outcome = 'answered' | 'missed' | 'abandoned'
/** A child row before its customer (and, except for calls, its id) is known. */
export type Row<T> = Omit<Insertable<T>, 'customer_id' | 'id'>
export type CallRow = Omit<Insertable<CallTable>, 'customer_id'>

/** One demo customer with every row of their history, before ids are given out. */
export interface DemoCustomer {
  values: Omit<Insertable<CustomerTable>, 'id'>
  phones: { phone: string; kind: string }[]
  calls: CallRow[]
  deals: Row<DealTable>[]
  orders: { values: Row<OrderTable>; payments: Omit<Row<PaymentTable>, 'order_id'>[] }[]
  tasks: Row<TaskTable>[]
}

export const DAY = 86_400_000

/** Builds history rows with realistic timings, every time relative to `now`. */
export class History {
  private calls = 0

  constructor(
    private readonly rng: Rng,
    private readonly now: number
  ) {}

  /** A call on a weekday `daysAgo` days back, within business hours in Moscow (09:00–19:00, UTC+3). */
  call(caller: string, daysAgo: number, outcome: Outcome, agentId: string | null): CallRow {
    const rng = this.rng
    let day = Math.floor(this.now / DAY) - daysAgo
    while ([0, 6].includes(new Date(day * DAY).getUTCDay())) day -= 1
    const offered = day * DAY + (6 * 3600 + Math.floor(rng() * 10 * 3600)) * 1000
    const routed = offered + 20 + Math.floor(rng() * 60)
    const ringing = agentId ? routed + 100 + Math.floor(rng() * 300) : null
    let answered: number | null = null
    let ended: number
    if (outcome === 'answered') {
      answered = (ringing ?? routed) + 3000 + Math.floor(rng() * 40_000)
      ended = answered + (40 + Math.floor(rng() * 1100)) * 1000
    } else if (outcome === 'missed') {
      ended = (ringing ?? routed) + 20_000 + Math.floor(rng() * 10_000)
    } else {
      ended = routed + 5000 + Math.floor(rng() * 55_000)
    }
    this.calls += 1
    return {
      id: `demo-${String(this.calls).padStart(5, '0')}`,
      channel: 'sip',
      direction: 'inbound',
      caller,
      caller_name: null,
      dialed: weighted(rng, [[DEMO_LINES.website, 60], [DEMO_LINES.springCrm, 25], [DEMO_LINES.telephonyLaunch, 15]] as const),
      lead_id: null,
      agent_id: agentId,
      rule: null,
      outcome,
      offered_at: new Date(offered),
      routed_at: new Date(routed),
      ringing_at: ringing === null ? null : new Date(ringing),
      answered_at: answered === null ? null : new Date(answered),
      ended_at: new Date(ended),
      wait_seconds: ((answered ?? ended) - offered) / 1000,
      talk_seconds: answered === null ? null : (ended - answered) / 1000,
      trace: null
    }
  }

  deal(title: string, stage: string, status: 'open' | 'won' | 'lost', amount: number, daysAgo: number, lostReason: string | null = null): Row<DealTable> {
    const updated = this.now - daysAgo * DAY - Math.floor(this.rng() * DAY)
    return {
      lead_id: null,
      title,
      stage,
      status,
      amount,
      lost_reason: lostReason,
      created_at: new Date(updated - (7 + Math.floor(this.rng() * 60)) * DAY),
      updated_at: new Date(updated)
    }
  }

  /**
   * An order `daysAgo` days back, billed 14 days after (in two halves, 30 days
   * apart, when large). 'due': paid around the due date if that has passed, else
   * mostly still open; 'paid': all paid; 'unpaid': nothing paid.
   */
  order(product: string, amount: number, daysAgo: number, payment: 'due' | 'paid' | 'unpaid'): DemoCustomer['orders'][number] {
    const orderedDay = Math.floor(this.now / DAY) - daysAgo
    const today = Math.floor(this.now / DAY)
    const parts = amount > 1_000_000 ? [[amount / 2, 14], [amount / 2, 44]] : [[amount, 14]]
    const payments = parts.map(([part, after]) => {
      const dueDay = orderedDay + after!
      const paidDay = Math.min(today, dueDay - 10 + Math.floor(this.rng() * 15))
      const paid = payment === 'paid' || (payment === 'due' && (dueDay <= today || this.rng() < 0.3))
      return { amount: part!, due_date: isoDate(dueDay * DAY), paid_date: paid ? isoDate(paidDay * DAY) : null }
    })
    return { values: { product, amount, ordered_at: new Date(orderedDay * DAY + 8 * 3_600_000) }, payments }
  }

  /** An open task; `daysAgo` negative means due in the future. */
  task(kind: string, assignee: string, title: string, daysAgo: number): Row<TaskTable> {
    return { kind, lead_id: null, assignee_agent_id: assignee, title, due_at: new Date(this.now - daysAgo * DAY), status: 'open', done_at: null }
  }
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)]!
}

export function weighted<T>(rng: Rng, options: readonly (readonly [T, number])[]): T {
  let roll = rng() * options.reduce((sum, [, w]) => sum + w, 0)
  for (const [value, w] of options) if ((roll -= w) < 0) return value
  return options[options.length - 1]![0]
}

export function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}
