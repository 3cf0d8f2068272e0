import { Type } from 'typebox'

/** What the operational routes answer (health, rules, reports, metrics, pages), for the OpenAPI description. */

/** An answer that is not JSON: its media type and what it holds. */
export function textAnswer(description: string, ...mediaTypes: string[]) {
  return { description, content: Object.fromEntries(mediaTypes.map((type) => [type, { schema: Type.String() }])) }
}

export const HealthView = Type.Object({ status: Type.Literal('ok') })

export const ReadyView = Type.Object(
  { ready: Type.Boolean(), checks: Type.Record(Type.String(), Type.Object({ ok: Type.Boolean(), detail: Type.Optional(Type.String()) })) },
  { description: 'each dependency (database, rules, redis, sip, ami) and whether it is usable' }
)

export const RulesView = Type.Object({
  version: Type.String(),
  loadedAt: Type.String({ format: 'date-time' }),
  hash: Type.String(),
  files: Type.Array(Type.String()),
  timeZone: Type.String(),
  rules: Type.Array(Type.Object({ name: Type.String(), source: Type.String(), priority: Type.Integer() })),
  lines: Type.Array(Type.String()),
  rejectedEdit: Type.Union([Type.Object({ at: Type.String({ format: 'date-time' }), errors: Type.Array(Type.String()) }), Type.Null()], {
    description: 'the last edit that did not compile, while the rules in force stay'
  })
})

const described = (description: string) => Type.Optional(Type.Unknown({ description }))

/** Read by the report's own parser (its errors are coded), so described here without being validated twice. */
export const ReportQuery = Type.Object({
  from: described('a date (YYYY-MM-DD) or an ISO 8601 date-time; the start of the month by default'),
  to: described('a date or date-time, excluded; now by default'),
  groupBy: described('how rows are grouped: the groupings each report names in its errors'),
  format: described('json (default) or csv; Accept: text/csv works too')
})

export const ReportAnswer = {
  description: 'JSON `{ report, from, to, groupBy, rows }`, or the same rows as CSV streamed from a cursor',
  content: {
    'application/json': {
      schema: Type.Object({
        report: Type.String(),
        from: Type.String({ format: 'date-time' }),
        to: Type.String({ format: 'date-time' }),
        groupBy: Type.String(),
        rows: Type.Array(Type.Record(Type.String(), Type.Unknown()))
      })
    },
    'text/csv': { schema: Type.String() }
  }
}
