import { Transform, type TransformCallback } from 'node:stream'
import { parse } from 'csv-parse'
import type { Kysely } from 'kysely'
import { Errors } from '../errors.js'
import type { NormalizedPhone } from '../identify/normalize-phone.js'
import { FirstErrors, RecordLines, type LineContext, type RowError } from './import-errors.js'
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
  /** Refused rows listed with their reason, the first by line; the rest are only counted. Default 100. */
  maxErrors?: number
  /** Told after each batch is written: the E.164 numbers it gave to new customers (their cache entries must go). */
  onWritten?: (phones: string[]) => void
}

export interface ImportResult {
  imported: number
  /** Rows refused, every one counted. */
  rejected: number
  /** The first `maxErrors` refused rows by line. */
  errors: RowError[]
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
 * transaction (customers and their phones together). Nothing is kept per row
 * beyond the batch in hand, so memory does not grow with the file.
 */
export async function importCustomersCsv(db: Kysely<Database>, input: NodeJS.ReadableStream, options: ImportOptions): Promise<ImportResult> {
  const agentIds = new Set((await db.selectFrom('agents').select('id').execute()).map((r) => r.id))
  const errors = new FirstErrors(options.maxErrors ?? 100)
  const result = { imported: 0 }
  const batchSize = options.batchSize ?? 500
  let batch: PreparedRow[] = []
  // A number twice in one batch is caught here; in two batches, the second finds it in the database.
  let phonesInBatch = new Map<string, number>()
  const lines = new RecordLines()

  const parser = parse({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_record: (record: Record<Column, string | undefined>, context: LineContext) => ({ record, line: lines.recordStart(context) }),
    columns: (header: string[]) => {
      const columns = header.map((h) => h.trim().toLowerCase())
      const unknown = columns.filter((c) => !(IMPORT_COLUMNS as readonly string[]).includes(c))
      if (unknown.length > 0) throw Errors.badRequest(`unknown CSV column(s) ${unknown.join(', ')}; allowed: ${IMPORT_COLUMNS.join(', ')}`)
      if (!columns.includes('name')) throw Errors.badRequest(`the CSV header must have a "name" column; allowed: ${IMPORT_COLUMNS.join(', ')}`)
      return columns
    }
  })
  // A row the parser refuses is reported on the line it starts: an unclosed quote is only noticed at
  // the end of the file, but the row it broke is the one where the quote opens.
  parser.on('skip', (err: Error & LineContext) => errors.add({ line: lines.recordStart(err), reason: err.message }))

  const flush = async () => {
    if (batch.length === 0) return
    const rows = batch
    batch = []
    phonesInBatch = new Map()
    const written = await writeBatch(db, rows, errors)
    result.imported += written.imported
    if (written.phones.length > 0) options.onWritten?.(written.phones)
  }

  input.pipe(limitBytes(options.limitBytes)).on('error', (err) => parser.destroy(err)).pipe(parser)
  for await (const { record, line } of parser as AsyncIterable<{ record: Record<Column, string | undefined>; line: number }>) {
    const prepared = prepareRow(record, line, agentIds, options.normalize, phonesInBatch)
    if ('reason' in prepared) {
      errors.add(prepared)
      continue
    }
    batch.push(prepared)
    if (batch.length >= batchSize) await flush()
  }
  await flush()
  return { imported: result.imported, rejected: errors.total, errors: errors.list() }
}

function prepareRow(
  record: Record<Column, string | undefined>,
  line: number,
  agentIds: Set<string>,
  normalize: ImportOptions['normalize'],
  phonesInBatch: Map<string, number>
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
    const earlier = phonesInBatch.get(n.e164)
    if (earlier !== undefined) return fail(`phone ${n.e164} already appears on line ${earlier}`)
    phones.push(n.e164)
  }
  for (const phone of phones) phonesInBatch.set(phone, line)

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

/** Writes the rows whose numbers nobody has yet: how many, and the numbers given to the new customers. */
async function writeBatch(db: Kysely<Database>, rows: PreparedRow[], errors: FirstErrors): Promise<{ imported: number; phones: string[] }> {
  const allPhones = rows.flatMap((r) => r.phones)
  const taken = new Map<string, number>()
  if (allPhones.length > 0) {
    const existing = await db.selectFrom('customer_phones').select(['phone', 'customer_id']).where('phone', 'in', allPhones).execute()
    for (const row of existing) taken.set(row.phone, row.customer_id)
  }
  const good = rows.filter((row) => {
    const clash = row.phones.find((p) => taken.has(p))
    if (clash) errors.add({ line: row.line, reason: `phone ${clash} already belongs to customer ${taken.get(clash)}` })
    return !clash
  })
  if (good.length === 0) return { imported: 0, phones: [] }
  await db.transaction().execute(async (trx) => {
    const ids = await trx.insertInto('customers').values(good.map((r) => r.values)).returning('id').execute()
    const phoneRows = good.flatMap((row, i) => row.phones.map((phone) => ({ phone, customer_id: ids[i]!.id, kind: 'mobile' })))
    if (phoneRows.length > 0) await trx.insertInto('customer_phones').values(phoneRows).execute()
  })
  return { imported: good.length, phones: good.flatMap((r) => r.phones) }
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
