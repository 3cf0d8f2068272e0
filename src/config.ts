import { Type, type Static } from 'typebox'
import Value from 'typebox/value'

/**
 * Every setting of the server, read once from the environment at start-up.
 * `expected` is what a human must change when the value is wrong; the README's
 * configuration table is written from this schema.
 */
const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', minLength: 1, expected: 'an interface address, e.g. 0.0.0.0' }),
  PORT: Type.Integer({ default: 3000, minimum: 1, maximum: 65535, expected: 'a TCP port 1..65535' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    expected: 'one of fatal, error, warn, info, debug, trace, silent'
  }),
  DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^postgres(ql)?://', expected: 'a postgres:// connection URL; leave unset for the embedded database' })
  ),
  DATA_DIR: Type.String({ default: './data', minLength: 1, expected: 'a directory for the embedded database' }),
  DB_POOL_SIZE: Type.Integer({ default: 10, minimum: 1, maximum: 500, expected: 'an integer 1..500' }),
  DB_TIMEOUT_MS: Type.Integer({ default: 2000, minimum: 100, maximum: 60000, expected: 'milliseconds 100..60000' }),
  DEFAULT_COUNTRY: Type.String({ default: 'RU', pattern: '^[A-Z]{2}$', expected: 'an ISO 3166 two-letter country code, e.g. RU, GB, US' }),
  CALLER_CACHE_SIZE: Type.Integer({ default: 100000, minimum: 0, maximum: 10000000, expected: 'an integer 0..10000000 (0 turns the cache off)' }),
  RULES_DIR: Type.String({ default: './routing-rules', minLength: 1, expected: 'the directory of the routing rules files' }),
  RULES_WATCH: Type.Boolean({ default: true, expected: 'true or false' }),
  WRAP_UP_SECONDS: Type.Integer({ default: 30, minimum: 0, maximum: 3600, expected: 'seconds 0..3600' }),
  MAX_TARGETS: Type.Integer({ default: 3, minimum: 1, maximum: 20, expected: 'an integer 1..20' }),
  CALL_RECORDS_MAX_QUEUE: Type.Integer({
    default: 100000,
    minimum: 100,
    maximum: 10000000,
    expected: 'an integer 100..10000000: call records kept in memory while the database is unreachable; past it the oldest is dropped with an error log'
  }),
  CALL_RECORDS_SHUTDOWN_MS: Type.Integer({
    default: 5000,
    minimum: 0,
    maximum: 600000,
    expected: 'milliseconds 0..600000 a stopping server keeps trying to write queued call records'
  }),
  DEMO_DATA: Type.Optional(
    Type.Boolean({ expected: 'true or false; when unset, POST /v1/demo-data is open on the embedded database only' })
  ),
  BODY_LIMIT_BYTES: Type.Integer({ default: 1048576, minimum: 1024, expected: 'bytes, at least 1024' }),
  IMPORT_LIMIT_BYTES: Type.Integer({ default: 104857600, minimum: 1024, expected: 'bytes, at least 1024' }),
  SCREENPOP_RETENTION_SECONDS: Type.Integer({
    default: 3600,
    minimum: 1,
    maximum: 604800,
    expected: 'seconds 1..604800 a screen-pop event is kept for agent pages that reconnect'
  }),
  SCREENPOP_HEARTBEAT_SECONDS: Type.Integer({
    default: 20,
    minimum: 1,
    maximum: 3600,
    expected: 'seconds 1..3600 between pings to agent pages; two unanswered pings close the connection'
  }),
  SCREENPOP_MAX_BACKLOG_BYTES: Type.Integer({
    default: 1048576,
    minimum: 1024,
    expected: 'bytes, at least 1024: unsent data an agent page may fall behind before it is told to resync'
  }),
  SCREENPOP_WEBHOOKS: Type.Array(
    Type.Union([
      Type.Object({ agent: Type.String({ minLength: 1 }), url: Type.String({ pattern: '^https?://[^\\s]+$' }) }, { additionalProperties: false }),
      Type.Object({ team: Type.String({ minLength: 1 }), url: Type.String({ pattern: '^https?://[^\\s]+$' }) }, { additionalProperties: false })
    ]),
    {
      default: [],
      maxItems: 1000,
      expected: 'a JSON array of {"agent": "<agent id>", "url": "https://…"} or {"team": "<team>", "url": "https://…"}: where each agent\'s screen-pop events are also POSTed'
    }
  ),
  SCREENPOP_WEBHOOK_SECRET: Type.Optional(
    Type.String({ minLength: 16, expected: 'a secret of at least 16 characters to sign webhook bodies with (HMAC-SHA256); required when SCREENPOP_WEBHOOKS is set' })
  ),
  ADMIN_TOKEN: Type.Optional(
    Type.String({ minLength: 16, pattern: '^\\S+$', expected: 'a secret of at least 16 characters, no spaces: admin endpoints then require Authorization: Bearer <ADMIN_TOKEN>' })
  )
})

/** Settings given as JSON text in the environment. */
const JSON_SETTINGS = new Set(['SCREENPOP_WEBHOOKS'])
/** Settings whose values never appear in messages. */
const SECRET_SETTINGS = new Set(['SCREENPOP_WEBHOOK_SECRET', 'ADMIN_TOKEN'])

export type Config = Readonly<Static<typeof ConfigSchema>>

/** Thrown when the environment does not describe a valid configuration; lists every problem. */
export class ConfigError extends Error {
  readonly code = 'CTI_ERR_CONFIG'
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`)
  }
}

/** Parses and validates the environment into a frozen Config, or throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = JSON_SETTINGS.has(key) ? parseJsonSetting(value) : value
  }
  // Default and Convert work in place on the copy; `env` keeps the text for messages.
  const parsed = Value.Convert(ConfigSchema, Value.Default(ConfigSchema, raw)) as Record<string, unknown>
  const bad = new Set<string>()
  for (const error of Value.Errors(ConfigSchema, parsed)) {
    const key = error.instancePath.slice(1).split('/')[0]
    if (key) bad.add(key)
  }
  // Webhooks are signed: a list without a secret is refused rather than sent unsigned.
  if (!bad.has('SCREENPOP_WEBHOOKS') && Array.isArray(parsed.SCREENPOP_WEBHOOKS) && parsed.SCREENPOP_WEBHOOKS.length > 0 && parsed.SCREENPOP_WEBHOOK_SECRET === undefined) {
    bad.add('SCREENPOP_WEBHOOK_SECRET')
  }
  if (bad.size > 0) {
    const properties = ConfigSchema.properties as Record<string, { expected?: string }>
    throw new ConfigError(
      [...bad].map((key) => `${key}=${shownValue(key, env[key])}: expected ${properties[key]?.expected ?? 'a valid value'}`)
    )
  }
  return Object.freeze(parsed as Static<typeof ConfigSchema>)
}

/** A variable's value as a message quotes it: secrets by their length only. */
function shownValue(key: string, value: string | undefined): string {
  if (value === undefined) return '(unset)'
  return SECRET_SETTINGS.has(key) ? `(hidden, ${value.length} characters)` : JSON.stringify(value)
}

/** The parsed value, or the text itself when it is not JSON (validation then names the variable). */
function parseJsonSetting(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** The settings, their defaults and meaning, for documentation. */
export function describeConfig(): { name: string; default: unknown; expected: string }[] {
  return Object.entries(ConfigSchema.properties).map(([name, schema]) => ({
    name,
    default: (schema as { default?: unknown }).default,
    expected: (schema as { expected?: string }).expected ?? ''
  }))
}

/** For command-line entry points: the config, or exit 2 with every bad variable named on stderr. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env)
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err
    process.stderr.write(`${err.message}\n`)
    process.exit(2)
  }
}
