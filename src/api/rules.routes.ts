import type { FastifyInstance } from 'fastify'
import type { RuleSet } from '../routing/types.js'
import { RulesView } from './operations-schemas.js'

export interface RulesStatus {
  ruleSet: RuleSet
  files: readonly string[]
  /** Errors of the last reload attempt that did not compile (the set in force stayed), or null. */
  lastErrors: readonly string[] | null
  lastErrorAt: number | null
}

/** `GET /v1/rules`: which rules are in force, since when, from which files, and whether a later edit was refused. */
export async function rulesRoutes(app: FastifyInstance, options: { status: () => RulesStatus }): Promise<void> {
  app.get('/v1/rules', { schema: { summary: 'The routing rules in force, and whether a later edit was refused', response: { 200: RulesView } } }, async () => {
    const { ruleSet, files, lastErrors, lastErrorAt } = options.status()
    return {
      version: ruleSet.version,
      loadedAt: new Date(ruleSet.loadedAt).toISOString(),
      hash: ruleSet.version,
      files,
      timeZone: ruleSet.calendar.timeZone,
      rules: ruleSet.rules.map((r) => ({ name: r.name, source: r.source, priority: r.priority })),
      lines: [...ruleSet.lines.keys()],
      rejectedEdit: lastErrors ? { at: new Date(lastErrorAt ?? 0).toISOString(), errors: lastErrors } : null
    }
  })
}
