import type { CustomerSummary } from '../routing/types.js'

/** What a cache forgot, for the other processes sharing the CRM to forget it too. */
export type CacheInvalidation = { customerId: string } | { phone: string } | { all: true }

/**
 * In-process cache of phone → customer summary (or "no such customer"), with
 * least-recently-used eviction. Invalidated by customer id when a customer or
 * their phones change, and by phone when a number is added.
 */
export class CallerCache {
  private readonly byPhone = new Map<string, CustomerSummary | null>()
  private readonly phonesOf = new Map<string, Set<string>>()

  /** Told of every invalidation asked of this cache, except those passed `shared = false` (they came from another process). */
  onInvalidate: ((change: CacheInvalidation) => void) | null = null
  /**
   * Counts invalidations: a lookup started before one may have read what it invalidated, so
   * its answer is not cached (or shared) once the generation has moved on.
   */
  generation = 0

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.byPhone.size
  }

  /** The cached entry: a summary, null for a known-unknown number, undefined when not cached. */
  get(phone: string): CustomerSummary | null | undefined {
    const hit = this.byPhone.get(phone)
    if (hit === undefined) return undefined
    // Re-insert to mark as recently used (Map keeps insertion order).
    this.byPhone.delete(phone)
    this.byPhone.set(phone, hit)
    return hit
  }

  set(phone: string, summary: CustomerSummary | null): void {
    if (this.capacity === 0) return
    this.drop(phone)
    this.byPhone.set(phone, summary)
    if (summary) {
      let phones = this.phonesOf.get(summary.id)
      if (!phones) this.phonesOf.set(summary.id, (phones = new Set()))
      phones.add(phone)
    }
    if (this.byPhone.size > this.capacity) {
      const oldest = this.byPhone.keys().next().value
      if (oldest !== undefined) this.drop(oldest)
    }
  }

  invalidateCustomer(customerId: string, shared = true): void {
    this.generation++
    if (shared) this.onInvalidate?.({ customerId })
    const phones = this.phonesOf.get(customerId)
    if (!phones) return
    for (const phone of [...phones]) this.drop(phone)
    this.phonesOf.delete(customerId)
  }

  /**
   * Brings a customer's cached entries up to date with fields the caller knows to be on file now (a
   * call record's new last agent), instead of forgetting them: their next call needs no lookup. Other
   * processes are told to forget the customer, as for a change.
   */
  updateCustomer(customerId: string, fields: Partial<CustomerSummary>): void {
    this.generation++
    this.onInvalidate?.({ customerId })
    const phones = this.phonesOf.get(customerId)
    if (!phones) return
    for (const phone of phones) {
      const summary = this.byPhone.get(phone)
      if (summary) this.byPhone.set(phone, { ...summary, ...fields })
    }
  }

  invalidatePhone(phone: string, shared = true): void {
    this.generation++
    if (shared) this.onInvalidate?.({ phone })
    this.drop(phone)
  }

  clear(shared = true): void {
    this.generation++
    if (shared) this.onInvalidate?.({ all: true })
    this.byPhone.clear()
    this.phonesOf.clear()
  }

  private drop(phone: string): void {
    const old = this.byPhone.get(phone)
    if (old === undefined) return
    this.byPhone.delete(phone)
    if (!old) return
    const phones = this.phonesOf.get(old.id)
    // An emptied set goes too: a cache that cycles through a million customers keeps no trace of the evicted.
    if (phones?.delete(phone) && phones.size === 0) this.phonesOf.delete(old.id)
  }

  /** Customers with at least one number cached (bounded by the cache's capacity). */
  get customers(): number {
    return this.phonesOf.size
  }
}
