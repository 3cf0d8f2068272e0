import type { Kysely } from 'kysely'
import { findCustomerSummaryByPhone } from '../crm/customer.repository.js'
import type { Database } from '../crm/schema.js'
import type { CustomerSummary } from '../routing/types.js'
import { CallerCache } from './caller-cache.js'
import { normalizePhone, type NormalizedPhone } from './normalize-phone.js'

/** Who is calling: the number as understood, and the customer behind it (null for a new caller). */
export interface CallerIdentity {
  phone: NormalizedPhone
  customer: CustomerSummary | null
}

// Raw caller-id strings repeat (the same customer calls again, the same PBX
// formatting); remembering their parse keeps the warm path free of libphonenumber.
const PARSE_MEMO_LIMIT = 50_000

/**
 * Identifies callers: any number format → E.164 → customer summary, through an
 * in-process cache. The cache must be told of customer changes
 * (`customerChanged`), which the CRM write paths do.
 */
export class CallerIdentifier {
  readonly cache: CallerCache
  private readonly parsed = new Map<string, NormalizedPhone>()

  constructor(
    private readonly db: Kysely<Database>,
    private readonly defaultCountry: string,
    cacheSize: number
  ) {
    this.cache = new CallerCache(cacheSize)
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
    const customer = await findCustomerSummaryByPhone(this.db, phone.e164)
    this.cache.set(phone.e164, customer)
    return { phone, customer }
  }

  /** Forget what is cached about a customer and their numbers (old and new). */
  customerChanged(customerId: number | string, phones: Iterable<string> = []): void {
    this.cache.invalidateCustomer(String(customerId))
    for (const phone of phones) this.cache.invalidatePhone(phone)
  }
}
