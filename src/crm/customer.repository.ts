import { sql, type Kysely, type Transaction } from 'kysely'
import { Errors } from '../errors.js'
import type { CustomerSummary } from '../routing/types.js'
import { precompiled } from './precompiled.js'
import type { CustomerRow, Database } from './schema.js'

/** A customer as the API shows it. */
export interface Customer {
  id: number
  name: string
  company: string | null
  ownerAgentId: string | null
  tier: string | null
  segment: string | null
  language: string | null
  needs: string[]
  purchaseVolume: number
  seasonality: string | null
  overdueAmount: number
  overdueDays: number
  refusalReasons: string[]
  blocked: boolean
  lastAgentId: string | null
  lastContactAt: string | null
  phones: CustomerPhone[]
}

export interface CustomerPhone {
  /** E.164. */
  phone: string
  kind: string
}

/** Fields a client may set; phones, when given, replace the customer's numbers. */
export interface CustomerInput {
  name?: string
  company?: string | null
  ownerAgentId?: string | null
  tier?: string | null
  segment?: string | null
  language?: string | null
  needs?: string[]
  purchaseVolume?: number
  seasonality?: string | null
  overdueAmount?: number
  overdueDays?: number
  refusalReasons?: string[]
  blocked?: boolean
  phones?: CustomerPhone[]
}

/** The summary query for one phone; kysely types its row from the tables. */
function summaryQuery(db: Kysely<Database>, phone: string) {
  return db
    .selectFrom('customer_phones as p')
    .innerJoin('customers as c', 'c.id', 'p.customer_id')
    .select([
      'c.id',
      'c.name',
      'c.owner_agent_id',
      'c.tier',
      'c.segment',
      'c.language',
      'c.overdue_amount',
      'c.overdue_days',
      'c.blocked',
      'c.last_agent_id',
      'c.last_contact_at',
      (eb) =>
        eb
          .selectFrom('deals as d')
          .select('d.stage')
          .whereRef('d.customer_id', '=', 'c.id')
          .where('d.status', '=', 'open')
          .orderBy('d.updated_at', 'desc')
          .limit(1)
          .as('open_deal_stage')
    ])
    .where('p.phone', '=', phone)
}

const summaryByPhone = precompiled(summaryQuery, ['\u0000phone'] as [string], { preparedOnEmbedded: true })

/**
 * Phone → what routing needs, in one indexed query (customer_phones primary
 * key, then customers primary key, then the newest open deal by index).
 */
export async function findCustomerSummaryByPhone(db: Kysely<Database>, phone: string): Promise<CustomerSummary | null> {
  const rows = await summaryByPhone(db, phone)
  const row = rows[0]
  if (!row) return null
  return {
    id: String(row.id),
    name: row.name,
    ownerAgentId: row.owner_agent_id,
    tier: row.tier,
    segment: row.segment,
    language: row.language,
    overdueAmount: row.overdue_amount,
    overdueDays: row.overdue_days,
    blocked: row.blocked,
    lastAgentId: row.last_agent_id,
    lastContactAt: row.last_contact_at ? row.last_contact_at.getTime() : null,
    openDealStage: row.open_deal_stage ?? null
  }
}

export async function getCustomer(db: Kysely<Database>, id: number): Promise<Customer | null> {
  const [row, phones] = await Promise.all([
    db.selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirst(),
    db.selectFrom('customer_phones').select(['phone', 'kind']).where('customer_id', '=', id).orderBy('phone').execute()
  ])
  return row ? toCustomer(row, phones) : null
}

/** Creates a customer with their phones in one transaction. */
export async function createCustomer(db: Kysely<Database>, input: CustomerInput & { name: string }): Promise<Customer> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.insertInto('customers').values(toColumns(input) as { name: string }).returningAll().executeTakeFirstOrThrow()
    await replacePhones(trx, row.id, input.phones ?? [])
    return toCustomer(row, input.phones ?? [])
  })
}

/** Updates the given fields (and replaces phones when given) in one transaction; null when there is no such customer. */
export async function updateCustomer(db: Kysely<Database>, id: number, input: CustomerInput): Promise<Customer | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('customers')
      .set({ ...toColumns(input), updated_at: sql`now()` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst()
    if (!row) return null
    if (input.phones) await replacePhones(trx, id, input.phones)
    const phones = await trx.selectFrom('customer_phones').select(['phone', 'kind']).where('customer_id', '=', id).orderBy('phone').execute()
    return toCustomer(row, phones)
  })
}

/** E.164 numbers currently on file for a customer (to invalidate caches before a change). */
export async function phonesOfCustomer(db: Kysely<Database>, id: number): Promise<string[]> {
  const rows = await db.selectFrom('customer_phones').select('phone').where('customer_id', '=', id).execute()
  return rows.map((r) => r.phone)
}

async function replacePhones(trx: Transaction<Database>, customerId: number, phones: CustomerPhone[]): Promise<void> {
  if (phones.length > 0) {
    const taken = await trx
      .selectFrom('customer_phones')
      .select(['phone', 'customer_id'])
      .where('phone', 'in', phones.map((p) => p.phone))
      .where('customer_id', '<>', customerId)
      .executeTakeFirst()
    if (taken) throw Errors.phoneTaken(taken.phone, taken.customer_id)
  }
  await trx.deleteFrom('customer_phones').where('customer_id', '=', customerId).execute()
  if (phones.length > 0) {
    await trx
      .insertInto('customer_phones')
      .values(phones.map((p) => ({ phone: p.phone, kind: p.kind, customer_id: customerId })))
      .execute()
  }
}

function toColumns(input: CustomerInput) {
  const columns = {
    name: input.name,
    company: input.company,
    owner_agent_id: input.ownerAgentId,
    tier: input.tier,
    segment: input.segment,
    language: input.language,
    needs: input.needs,
    purchase_volume: input.purchaseVolume,
    seasonality: input.seasonality,
    overdue_amount: input.overdueAmount,
    overdue_days: input.overdueDays,
    refusal_reasons: input.refusalReasons,
    blocked: input.blocked
  }
  return Object.fromEntries(Object.entries(columns).filter(([, v]) => v !== undefined))
}

export function toCustomer(row: CustomerRow, phones: CustomerPhone[]): Customer {
  return {
    id: row.id,
    name: row.name,
    company: row.company,
    ownerAgentId: row.owner_agent_id,
    tier: row.tier,
    segment: row.segment,
    language: row.language,
    needs: row.needs,
    purchaseVolume: row.purchase_volume,
    seasonality: row.seasonality,
    overdueAmount: row.overdue_amount,
    overdueDays: row.overdue_days,
    refusalReasons: row.refusal_reasons,
    blocked: row.blocked,
    lastAgentId: row.last_agent_id,
    lastContactAt: row.last_contact_at ? row.last_contact_at.toISOString() : null,
    phones: phones.map((p) => ({ phone: p.phone, kind: p.kind }))
  }
}
