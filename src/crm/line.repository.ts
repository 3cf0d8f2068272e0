import type { Kysely } from 'kysely'
import type { LineInfo } from '../routing/types.js'
import type { Database, LineRow } from './schema.js'

/** Creates or replaces the line (dialed number) `line.number`. */
export async function upsertLine(db: Kysely<Database>, line: LineInfo): Promise<LineInfo> {
  const columns = {
    name: line.name,
    source: line.source,
    campaign: line.campaign,
    product: line.product,
    cost_per_lead: line.costPerLead
  }
  await db
    .insertInto('lines')
    .values({ number: line.number, ...columns })
    .onConflict((oc) => oc.column('number').doUpdateSet(columns))
    .execute()
  return line
}

export async function listLines(db: Kysely<Database>): Promise<LineInfo[]> {
  const rows = await db.selectFrom('lines').selectAll().orderBy('number').execute()
  return rows.map(toLine)
}

function toLine(row: LineRow): LineInfo {
  return {
    number: row.number,
    name: row.name,
    source: row.source,
    campaign: row.campaign,
    product: row.product,
    costPerLead: row.cost_per_lead
  }
}
