import { isAbsolute, relative, resolve } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Kysely } from 'kysely'
import { Type, type Static } from 'typebox'
import type { Database } from '../crm/schema.js'
import { loadCatalog } from '../crm/agent.repository.js'
import { Errors } from '../errors.js'
import { candidateFromDir, candidateFromFiles } from '../preview/candidate.js'
import { periodOf, runPreview } from '../preview/preview.js'
import { formatRuleError } from '../rules/errors.js'
import type { ShadowRules } from '../shadow/shadow-rules.js'
import { shadowSummary } from '../shadow/shadow-store.js'
import { errorResponses } from './error-responses.js'

const decision = {
  rule: Type.Union([Type.String(), Type.Null()]),
  agent: Type.Union([Type.String(), Type.Null()]),
  outcome: Type.Object({ kind: Type.String(), queue: Type.Optional(Type.String()) })
}
const Decision = Type.Object(decision)
const Traced = Type.Object({ ...decision, trace: Type.Unknown({ description: 'the decision trace (then: as recorded on the call)' }) })
const Counts = { before: Type.Integer(), after: Type.Integer() }

const PreviewBody = Type.Object({
  dir: Type.Optional(Type.String({ minLength: 1, description: 'a rules folder on the server, inside RULES_PREVIEW_BASE' })),
  files: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'the candidate files by name: { "rules.yaml": "…" }' })),
  since: Type.Optional(Type.String({ description: 'how far back, e.g. 7d (default), 24h' })),
  from: Type.Optional(Type.String({ description: 'start of the period, ISO time (instead of since)' })),
  to: Type.Optional(Type.String({ description: 'end of the period, ISO time (default now)' })),
  sample: Type.Optional(Type.Integer({ minimum: 0, maximum: 200, description: 'changed calls shown as examples (default 20)' }))
}, { additionalProperties: false })

const PreviewView = Type.Object({
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  candidateVersion: Type.String(),
  changed: Type.Integer({ description: 'calls that would match another rule, go to another first agent, or end differently' }),
  replayed: Type.Integer(),
  unchanged: Type.Integer(),
  changedPercent: Type.Number(),
  countedApart: Type.Object({ unknownVersion: Type.Integer(), missingFacts: Type.Integer(), namedAgent: Type.Integer(), withoutFacts: Type.Integer() }),
  noCalls: Type.Boolean(),
  byRule: Type.Array(Type.Object({ rule: Type.String(), ...Counts, changed: Type.Integer() })),
  byAgent: Type.Array(Type.Object({ agent: Type.String(), ...Counts, moved: Type.Integer() })),
  moves: Type.Array(Type.Object({ from: Type.String(), to: Type.String(), calls: Type.Integer() })),
  outcomes: Type.Array(Type.Object({ outcome: Type.String(), ...Counts })),
  sample: Type.Array(Type.Object({
    callId: Type.String(),
    at: Type.String({ format: 'date-time' }),
    before: Traced,
    after: Traced
  })),
  availability: Type.Object({ rowsApplied: Type.Integer(), rowsForUnknownAgents: Type.Integer() }),
  approximations: Type.Array(Type.String())
})

const ShadowView = Type.Object({
  configured: Type.Boolean({ description: 'a shadow/ folder is in the rules folder and compiled' }),
  version: Type.Union([Type.String(), Type.Null()]),
  errors: Type.Union([Type.Array(Type.String()), Type.Null()], { description: 'why the shadow rules do not compile, if so' }),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
  decided: Type.Integer(),
  same: Type.Integer(),
  different: Type.Integer(),
  differentPercent: Type.Number(),
  recent: Type.Array(Type.Object({ callId: Type.String(), at: Type.String({ format: 'date-time' }), shadowVersion: Type.String(), live: Decision, shadow: Decision }))
})

export interface RulesPreviewOptions {
  db: Kysely<Database>
  /** Folders previews may read are inside this one. */
  base: string
  shadow: Pick<ShadowRules, 'current' | 'errors'>
  now: () => number
}

/** `POST /v1/rules/preview`: past calls replayed through candidate rules; `GET /v1/rules/shadow`: the shadow rules' differences. */
export async function rulesPreviewRoutes(app: FastifyInstance, o: RulesPreviewOptions): Promise<void> {
  app.post<{ Body: Static<typeof PreviewBody> }>('/v1/rules/preview', {
    schema: {
      summary: 'Replay past calls through candidate rules and show what would change',
      body: PreviewBody,
      response: { 200: PreviewView, ...errorResponses({ 400: ['CTI_ERR_BAD_REQUEST', 'CTI_ERR_PREVIEW_DIR_REFUSED'], 422: ['CTI_ERR_PREVIEW_RULES_INVALID'], 503: ['CTI_ERR_DB_UNAVAILABLE'] }) }
    }
  }, async (request) => {
    const body = request.body
    if ((body.dir === undefined) === (body.files === undefined)) throw Errors.badRequest('send either "dir" (a rules folder on the server) or "files" (the rules files as text)')
    const period = periodOf(body, o.now())
    if (typeof period === 'string') throw Errors.badRequest(period)
    const names = await loadCatalog(o.db)
    let candidate
    if (body.dir !== undefined) {
      const dir = resolve(o.base, body.dir)
      const inside = relative(o.base, dir)
      if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw Errors.previewDirRefused(body.dir, o.base)
      candidate = await candidateFromDir(dir, names)
    } else {
      candidate = candidateFromFiles(body.files!, names)
    }
    if (!candidate.ok) throw Errors.previewRulesInvalid(candidate.errors.map((e) => formatRuleError(e)))
    return runPreview(o.db, candidate.ruleSet, period, { sample: body.sample })
  })

  app.get('/v1/rules/shadow', {
    schema: { summary: 'How often the shadow rules decided differently from the rules in force, last 24 h', response: { 200: ShadowView } }
  }, async () => {
    const to = o.now()
    const summary = await shadowSummary(o.db, to - 86_400_000, to + 1)
    return { configured: o.shadow.current !== null, version: o.shadow.current?.version ?? null, errors: o.shadow.errors ? [...o.shadow.errors] : null, ...summary }
  })
}
