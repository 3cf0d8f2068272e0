import { Type, type TSchema } from 'typebox'

/** The `{ error, message }` answer whose `error` is one of `codes`. */
export function errorBody(codes: readonly string[]): TSchema {
  return Type.Object(
    { error: Type.Enum([...codes]), message: Type.String({ description: 'what to fix, in plain words' }), details: Type.Optional(Type.Unknown()) },
    { description: codes.join(', ') }
  )
}

type ErrorsByStatus = Readonly<Partial<Record<number, readonly string[]>>>

/**
 * The error answers particular to a route, by status, for its `response`
 * schema. Those every route shares (validation, NUL, auth, body parsing, 500)
 * are added to the description in one place, openapi.ts.
 */
export function errorResponses(...sets: ErrorsByStatus[]): Record<number, TSchema> {
  const merged = mergeCodes(sets)
  return Object.fromEntries(Object.entries(merged).map(([status, codes]) => [status, errorBody(codes)]))
}

/** Codes per status, each once, in the order first named. */
export function mergeCodes(sets: ErrorsByStatus[]): Record<number, string[]> {
  const merged: Record<number, string[]> = {}
  for (const set of sets) {
    for (const [status, codes] of Object.entries(set)) {
      const list = (merged[Number(status)] ??= [])
      for (const code of codes ?? []) if (!list.includes(code)) list.push(code)
    }
  }
  return merged
}

/** A route that reads or writes the CRM database. */
export const DB_ERRORS = { 503: ['CTI_ERR_DB_UNAVAILABLE'] } as const
/** A route that writes rows: a constraint the schema cannot see (a unique number, an owner that must exist). */
export const WRITE_ERRORS = { 409: ['CTI_ERR_CONFLICT'], 422: ['CTI_ERR_UNKNOWN_REFERENCE'], 503: ['CTI_ERR_DB_UNAVAILABLE'] } as const
