import type { CustomerCard } from '../crm/customer-card.js'

interface Entry {
  card: Promise<CustomerCard | null>
  /** The calls of this customer whose card this is. */
  calls: Set<string>
}

/**
 * Each customer's card (with history), read once for all of their calls in
 * progress and kept for as long as one of them lasts: forgotten when the last
 * ends, when the customer changes, or when reading it failed. Bounded by the
 * calls followed (each call holds one customer).
 */
export class CardCache {
  private readonly byCustomer = new Map<number, Entry>()
  private readonly customerOf = new Map<string, number>()

  constructor(private readonly load: (customerId: number) => Promise<CustomerCard | null>) {}

  /** The customer's card for this call: the one being read or read for another call of theirs, or a new read. */
  get(customerId: number, callId: string): Promise<CustomerCard | null> {
    let entry = this.byCustomer.get(customerId)
    if (!entry) {
      const card = this.load(customerId)
      const created: Entry = { card, calls: new Set() }
      this.byCustomer.set(customerId, (entry = created))
      // A failed read is not kept: the next call of this customer tries again.
      card.catch(() => {
        if (this.byCustomer.get(customerId) === created) this.byCustomer.delete(customerId)
      })
    }
    entry.calls.add(callId)
    this.customerOf.set(callId, customerId)
    return entry.card
  }

  /** The call is over: its customer's card goes once none of their calls is left. */
  callEnded(callId: string): void {
    const customerId = this.customerOf.get(callId)
    if (customerId === undefined) return
    this.customerOf.delete(callId)
    const entry = this.byCustomer.get(customerId)
    if (!entry) return
    entry.calls.delete(callId)
    if (entry.calls.size === 0) this.byCustomer.delete(customerId)
  }

  /** The customer changed: their next card is read afresh (calls in progress keep what they were sent). */
  customerChanged(customerId: number): void {
    this.byCustomer.delete(customerId)
  }

  /** Customers whose card is kept now. */
  get size(): number {
    return this.byCustomer.size
  }
}

/**
 * Reads again while the pool only said it was busy (every connection taken for the whole connect
 * timeout): the card then goes out late but with its history, instead of without it. Gives up after
 * `attempts`; any other error (a real outage) fails at once.
 */
export async function untilPoolFree<T>(read: () => Promise<T>, isPoolWait: (err: unknown) => boolean, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read()
    } catch (err) {
      if (attempt >= attempts || !isPoolWait(err)) throw err
    }
  }
}
