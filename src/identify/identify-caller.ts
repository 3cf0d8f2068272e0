import type { Kysely } from 'kysely'
import { findCustomerSummaryByPhone } from '../crm/customer.repository.js'
import type { Database } from '../crm/schema.js'
import type { CustomerSummary } from '../routing/types.js'
import { CallerCache } from './caller-cache.js'
import { LookupQueue } from './lookup-queue.js'
import { normalizePhone, type NormalizedPhone } from './normalize-phone.js'

/** Who is calling: the number as understood, and the customer behind it (null for a new caller). */
export interface CallerIdentity {
  phone: NormalizedPhone
  customer: CustomerSummary | null
}

// Raw caller-id strings repeat (the same customer calls again, the same PBX
// formatting); remembering their parse keeps the warm path free of libphonenumber.
const PARSE_MEMO_LIMIT = 50_000

export interface CallerIdentifierOptions {
  /**
   * Lookups sent to the database at once, the rest waiting their turn (LookupQueue): give the size
   * of the pool behind `db` when that pool is identification's own. Unset: no limit.
   */
  lookupsAtOnce?: number
}

/**
 * Identifies callers: any number format → E.164 → customer summary, through an
 * in-process cache. The cache must be told of customer changes
 * (`customerChanged`), which the CRM write paths do. Callers of the same number
 * at the same time share one lookup.
 */
export class CallerIdentifier {
  readonly cache: CallerCache
  private readonly parsed = new Map<string, NormalizedPhone>()
  private readonly inFlight = new Map<string, { lookup: Promise<CustomerSummary | null>; generation: number }>()
  private readonly queue: LookupQueue | null
  /** Told of every customer change (the cards kept for calls in progress). */
  private readonly changeListeners: ((customerId: string) => void)[] = []

  constructor(
    private readonly db: Kysely<Database>,
    private readonly defaultCountry: string,
    cacheSize: number,
    options: CallerIdentifierOptions = {}
  ) {
    this.cache = new CallerCache(cacheSize)
    this.queue = options.lookupsAtOnce === undefined ? null : new LookupQueue(options.lookupsAtOnce)
  }

  normalize(raw: string | null | undefined): NormalizedPhone {
    const key = raw ?? ''
    const memo = this.parsed.get(key)
    if (memo) return memo
    const result = normalizePhone(raw, this.defaultCountry)
    if (this.parsed.size >= PARSE_MEMO_LIMIT) this.parsed.clear()
    this.parsed.set(key, result)
    return result
  }

  /** Normalizes without remembering: bulk work (an import of a million numbers) must not crowd out the callers' parses. */
  normalizeOnce(raw: string | null | undefined): NormalizedPhone {
    return normalizePhone(raw, this.defaultCountry)
  }

  /** Identifies a caller. Unusable numbers resolve to no customer; never throws for bad input. */
  async identify(raw: string | null | undefined): Promise<CallerIdentity> {
    const phone = this.normalize(raw)
    if (!phone.ok) return { phone, customer: null }
    const cached = this.cache.get(phone.e164)
    if (cached !== undefined) return { phone, customer: cached }
    return { phone, customer: await this.lookUp(phone.e164) }
  }

  private lookUp(e164: string): Promise<CustomerSummary | null> {
    const generation = this.cache.generation
    const shared = this.inFlight.get(e164)
    if (shared && shared.generation === generation) return shared.lookup
    const query = () => findCustomerSummaryByPhone(this.db, e164)
    const lookup = (this.queue ? this.queue.run(query) : query()).then((customer) => {
      // A change made while the query ran may not be in its answer: it is used once, not kept.
      if (this.cache.generation === generation) this.cache.set(e164, customer)
      return customer
    })
    this.inFlight.set(e164, { lookup, generation })
    const forget = () => {
      if (this.inFlight.get(e164)?.lookup === lookup) this.inFlight.delete(e164)
    }
    lookup.then(forget, forget)
    return lookup
  }

  /** Forget what is cached about a customer and their numbers (old and new). */
  customerChanged(customerId: number | string, phones: Iterable<string> = []): void {
    this.cache.invalidateCustomer(String(customerId))
    for (const phone of phones) this.cache.invalidatePhone(phone)
    for (const listener of this.changeListeners) listener(String(customerId))
  }

  /**
   * A call record's write moved a customer's last contact and last agent to these values, read back
   * from the database: what is cached is updated rather than forgotten, since nothing else changed.
   */
  contactRecorded(change: { customerId: number | string; lastAgentId: string | null; lastContactAt: number | null }): void {
    const customerId = String(change.customerId)
    this.cache.updateCustomer(customerId, { lastAgentId: change.lastAgentId, lastContactAt: change.lastContactAt })
    for (const listener of this.changeListeners) listener(customerId)
  }

  /** Follows customer changes made through this process (customerChanged, contactRecorded). */
  onCustomerChanged(listener: (customerId: string) => void): void {
    this.changeListeners.push(listener)
  }
}
