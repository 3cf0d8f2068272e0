import { Transform, type TransformCallback } from 'node:stream'
import { parse } from 'csv-parse'
import type { Kysely } from 'kysely'
import { Errors } from '../errors.js'
import type { NormalizedPhone } from '../identify/normalize-phone.js'
import type { Database } from './schema.js'

/** Columns a customers CSV may have; `name` is required, the rest optional. Lists are `;`-separated. */
export const IMPORT_COLUMNS = [
  'name',
  'company',
  'phones',
  'owner',
  'tier',
  'segment',
  'language',
  'needs',
  'purchase_volume',
  'seasonality',
  'overdue_amount',
  'overdue_days',
  'refusal_reasons',
  'blocked'
] as const

type Column = (typeof IMPORT_COLUMNS)[number]

export interface ImportOptions {
  normalize: (raw: string) => NormalizedPhone
  limitBytes: number
  /** Rows written per transaction. */
  batchSize?: number
}

export interface ImportResult {
  imported: number
  rejected: { line: number; reason: string }[]
  createdIds: number[]
  /** E.164 numbers of imported customers (their cache entries must go). */
  phones: string[]
}

interface PreparedRow {
  line: number
  values: {
    name: string
    company: string | null
    owner_agent_id: string | null
    tier: string | null
    segment: string | null
    language: string | null
    needs: string[]
    purchase_volume: number
    seasonality: string | null
    overdue_amount: number
    overdue_days: number
    refusal_reasons: string[]
    blocked: boolean
  }
  phones: string[]
}

/**
 * Streams a customers CSV into the store. A bad row is reported with its line
 * number and reason and skipped; good rows land in batches, each batch one
 * transaction (customers and their phones together).
 */
export async function importCustomersCsv(db: Kysely<Database>, input: NodeJS.ReadableStream, options: ImportOptions): Promise<ImportResult> {
  const agentIds = new Set((await db.selectFrom('agents').select('id').execute()).map((r) => r.id))
  const result: ImportResult = { imported: 0, rejected: [], createdIds: [], phones: [] }
  const phonesInFile = new Map<string, number>()
  const batchSize = options.batchSize ?? 500
  let batch: PreparedRow[] = []

  const parser = parse({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    info: true,
    columns: (header: string[]) => {
      const columns = header.map((h) => h.trim().toLowerCase())
      const unknown = columns.filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c))
      if (unknown.length > 0) throw Errors.badRequest(`unknown CSV column(s) ${unknown.join(', ')}; allowed: ${IMPORT_COLUMNS.join(', ')}`)
      if (!columns.includes('name')) throw Errors.badRequest(`the CSV header must have a "name" column; allowed: ${IMPORT_COLUMNS.join(', ')}`)
      return columns
    }
  })
  parser.on('skip', (err: Error & { lines?: number }) => {
    result.rejected.push({ line: err.lines ?? 0, reason: err.message })
  })

  const flush = async () => {
    if (batch.length === 0) return
    const rows = batch
    batch = []
    await writeBatch(db, rows, result)
  }

  input.pipe(limitBytes(options.limitBytes)).on('error', (err) => parser.destroy(err)).pipe(parser)
  for await (const { record, info } of parser as AsyncIterable<{ record: Record<Column, string | undefined>; info: { lines: number } }>) {
    const prepared = prepareRow(record, info.lines, agentIds, options.normalize, phonesInFile)
    if ('reason' in prepared) {
      result.rejected.push(prepared)
      continue
    }
    batch.push(prepared)
    if (batch.length >= batchSize) await flush()
  }
  await flush()
  result.rejected.sort((a, b) => a.line - b.line)
  return result
}

function prepareRow(
  record: Record<Column, string | undefined>,
  line: number,
  agentIds: Set<string>,
  normalize: ImportOptions['normalize'],
  phonesInFile: Map<string, number>
): PreparedRow | { line: number; reason: string } {
  const text = (column: Column) => {
    const value = record[column]?.trim()
    return value ? value : null
  }
  const list = (column: Column) => (text(column) ?? '').split(';').map((s) => s.trim()).filter(Boolean)
  const fail = (reason: string) => ({ line, reason })

  const name = text('name')
  if (!name) return fail('name is empty')
  const owner = text('owner')
  if (owner && !agentIds.has(owner)) return fail(`owner "${owner}" is not a known agent id`)

  const numbers: Record<'purchase_volume' | 'overdue_amount' | 'overdue_days', number> = { purchase_volume: 0, overdue_amount: 0, overdue_days: 0 }
  for (const column of ['purchase_volume', 'overdue_amount', 'overdue_days'] as const) {
    const raw = text(column)
    if (raw === null) continue
    const value = Number(raw.replace(',', '.'))
    if (!Number.isFinite(value) || value < 0) return fail(`${column} "${raw}" is not a non-negative number`)
    if (column === 'overdue_days' && !Number.isInteger(value)) return fail(`overdue_days "${raw}" is not a whole number`)
    numbers[column] = value
  }

  const blockedRaw = (text('blocked') ?? 'false').toLowerCase()
  if (!['true', 'false', 'yes', 'no', '1', '0'].includes(blockedRaw)) return fail(`blocked "${blockedRaw}" must be true or false`)

  const phones: string[] = []
  for (const raw of list('phones')) {
    const n = normalize(raw)
    if (!n.ok) return fail(`phone "${raw}" is not usable (${n.problem})`)
    const earlier = phonesInFile.get(n.e164)
    if (earlier !== undefined) return fail(`phone ${n.e164} already appears on line ${earlier}`)
    phones.push(n.e164)
  }
  for (const phone of phones) phonesInFile.set(phone, line)

  return {
    line,
    phones,
    values: {
      name,
      company: text('company'),
      owner_agent_id: owner,
      tier: text('tier'),
      segment: text('segment'),
      language: text('language'),
      needs: list('needs'),
      purchase_volume: numbers.purchase_volume,
      seasonality: text('seasonality'),
      overdue_amount: numbers.overdue_amount,
      overdue_days: numbers.overdue_days,
      refusal_reasons: list('refusal_reasons'),
      blocked: ['true', 'yes', '1'].includes(blockedRaw)
    }
  }
}

async function writeBatch(db: Kysely<Database>, rows: PreparedRow[], result: ImportResult): Promise<void> {
  const allPhones = rows.flatMap((r) => r.phones)
  const taken = new Map<string, number>()
  if (allPhones.length > 0) {
    const existing = await db.selectFrom('customer_phones').select(['phone', 'customer_id']).where('phone', 'in', allPhones).execute()
    for (const row of existing) taken.set(row.phone, row.customer_id)
  }
  const good = rows.filter((row) => {
    const clash = row.phones.find((p) => taken.has(p))
    if (clash) result.rejected.push({ line: row.line, reason: `phone ${clash} already belongs to customer ${taken.get(clash)}` })
    return !clash
  })
  if (good.length === 0) return
  await db.transaction().execute(async (trx) => {
    const ids = await trx.insertInto('customers').values(good.map((r) => r.values)).returning('id').execute()
    const phoneRows = good.flatMap((row, i) => row.phones.map((phone) => ({ phone, customer_id: ids[i]!.id, kind: 'mobile' })))
    if (phoneRows.length > 0) await trx.insertInto('customer_phones').values(phoneRows).execute()
    result.createdIds.push(...ids.map((r) => r.id))
  })
  result.imported += good.length
  result.phones.push(...good.flatMap((r) => r.phones))
}

/** Fails the stream once more than `limit` bytes have passed, so an endless upload is cut off. */
function limitBytes(limit: number): Transform {
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length
      if (seen > limit) callback(Errors.tooLarge(`the file is larger than ${limit} bytes (IMPORT_LIMIT_BYTES)`))
      else callback(null, chunk)
    }
  })
}
