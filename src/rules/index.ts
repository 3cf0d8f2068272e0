/**
 * The routing-rules layer: YAML files in `routing-rules/` compiled into the
 * core's RuleSet (CEL conditions, business calendar, lines), checked at load
 * with every mistake reported as file:line:col, and reloaded on change.
 */
export type { LoadResult, RuleError, RulesCatalog, RulesSource } from './types.js'
export { compileRuleSet, rulesHash, type CompileOptions, type CompileResult } from './compile.js'
export { isRulesFile, loadRuleSet, readRulesSources } from './load.js'
export { RulesWatcher, type RulesWatcherOptions } from './watch.js'
export { CATALOG_FILE, createCatalog, loadCatalogFile, parseCatalog, type CatalogResult } from './catalog.js'
export { createBusinessCalendar, ZonedBusinessCalendar, type CalendarSpec, type LocalDateTime } from './calendar.js'
export { compileCondition, CONDITION_FIELDS, type CompiledCondition } from './condition.js'
export { formatRuleError, sortRuleErrors } from './errors.js'
export { parseDuration } from './duration.js'
export { runRulesCommand, DEFAULT_RULES_DIR, type CommandIo } from './commands.js'
