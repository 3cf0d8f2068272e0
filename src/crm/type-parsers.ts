/** Type OIDs whose text form we parse the same way on PostgreSQL and PGlite. */
const INT8 = 20
const NUMERIC = 1700
const DATE = 1082

/**
 * Ids and money fit in a double here (ids < 2^53; amounts have 2 decimals), and a plain number is
 * what the API returns. Dates stay ISO strings: a DATE has no time zone.
 */
export const typeParsers = {
  [INT8]: (value: string) => Number(value),
  [NUMERIC]: (value: string) => Number(value),
  [DATE]: (value: string) => value
} as const
