import { Type, type Static } from 'typebox'
import Value from 'typebox/value'
import { maskSecrets } from './mask-secrets.js'

/**
 * Every setting of the server, read once from the environment at start-up.
 * `description` says what a setting does and `expected` what a human must
 * change when the value is wrong; docs/configuration.md's table is written
 * from this schema (`npm run docs:config`).
 */
const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', minLength: 1, description: 'the interface address the server listens on, e.g. 0.0.0.0 for every interface', expected: 'an interface address, e.g. 0.0.0.0' }),
  PORT: Type.Integer({ default: 3000, minimum: 1, maximum: 65535, description: 'the TCP port of the HTTP API, the agent page and its WebSocket', expected: 'a TCP port 1..65535' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    description: 'the least severe level of log line written',
    expected: 'one of fatal, error, warn, info, debug, trace, silent'
  }),
  DATABASE_URL: Type.Optional(
    Type.String({ pattern: '^postgres(ql)?://', description: 'the PostgreSQL database of the CRM and the call records, as a postgres:// connection URL; unset: the embedded database in DATA_DIR', expected: 'a postgres:// connection URL; leave unset for the embedded database' })
  ),
  DATA_DIR: Type.String({ default: './data', minLength: 1, description: 'the directory of the embedded database (used when DATABASE_URL is unset), and of the journals and the dead-letter file that keep call records and workflow jobs the database refuses', expected: 'a writable directory' }),
  DB_POOL_SIZE: Type.Integer({ default: 10, minimum: 1, maximum: 500, description: 'connections to PostgreSQL kept open', expected: 'an integer 1..500' }),
  DB_IDENTIFY_POOL_SIZE: Type.Integer({
    default: 4,
    minimum: 1,
    maximum: 100,
    description: 'connections to PostgreSQL kept for caller identification alone, beside DB_POOL_SIZE: a burst of cards, call records and workflow jobs never makes a caller wait for a connection, and lookups beyond these wait their turn instead of failing',
    expected: 'an integer 1..100'
  }),
  DB_TIMEOUT_MS: Type.Integer({ default: 2000, minimum: 100, maximum: 60000, description: 'how long connecting to the database may take (a statement may take 5 times as long); requests that need the database fail fast with 503 past it', expected: 'milliseconds 100..60000' }),
  DEFAULT_COUNTRY: Type.String({ default: 'RU', pattern: '^[A-Z]{2}$', description: 'the ISO 3166 country of numbers written without a country code, e.g. RU, GB, US', expected: 'an ISO 3166 two-letter country code, e.g. RU, GB, US' }),
  CALLER_CACHE_SIZE: Type.Integer({ default: 100000, minimum: 0, maximum: 10000000, description: 'callers kept in the in-process cache; 0 turns the cache off', expected: 'an integer 0..10000000 (0 turns the cache off)' }),
  RULES_DIR: Type.String({ default: './routing-rules', minLength: 1, description: 'the folder of the routing rules files', expected: 'the directory of the routing rules files' }),
  RULES_WATCH: Type.Boolean({ default: true, description: 'reload the rules when their files change', expected: 'true or false' }),
  RULES_PREVIEW_BASE: Type.Optional(Type.String({ minLength: 1, description: 'the folder inside which POST /v1/rules/preview may read a candidate rules folder; unset: the folder that holds RULES_DIR', expected: 'a directory' })),
  AVAILABILITY_LOG_DAYS: Type.Integer({ default: 30, minimum: 1, maximum: 3650, description: 'days the agent availability log, call facts and shadow decisions are kept for rules preview', expected: 'an integer 1..3650' }),
  WRAP_UP_SECONDS: Type.Integer({ default: 30, minimum: 0, maximum: 3600, description: 'how long an agent stays in wrap-up after a call', expected: 'seconds 0..3600' }),
  TRANSFER_RING_SECONDS: Type.Integer({ default: 20, minimum: 5, maximum: 120, description: 'how long the colleague a call is transferred to may ring before the transfer counts as not taken', expected: 'seconds 5..120' }),
  TRANSFER_NOT_TAKEN: Type.Union([Type.Literal('back'), Type.Literal('rules')], { default: 'back', description: "where a call goes when the colleague it was transferred to does not take it: 'back' to the agent who transferred it, 'rules' as the routing rules say (the queue, say)", expected: "'back' or 'rules'" }),
  MAX_TARGETS: Type.Integer({ default: 3, minimum: 1, maximum: 20, description: 'agents listed per decision, in the order they are offered the call', expected: 'an integer 1..20' }),
  CALL_RECORDS_MAX_QUEUE: Type.Integer({
    default: 100000,
    minimum: 100,
    maximum: 10000000,
    description: 'call records kept in memory while the database refuses or cannot be reached; past it they spill to a journal file in DATA_DIR, written once the database takes them again',
    expected: 'an integer 100..10000000: call records kept in memory while the database refuses writes; past it they go to a journal file in DATA_DIR'
  }),
  LAST_AGENT_MIN_TALK_SECONDS: Type.Integer({
    default: 10,
    minimum: 0,
    maximum: 3600,
    description: "an answered call whose talk lasts at least this long makes its agent the customer's (or lead's) last agent, the one the `last agent` step rings; every answered call moves the last contact",
    expected: 'seconds 0..3600'
  }),
  CALL_RECORDS_SHUTDOWN_MS: Type.Integer({
    default: 5000,
    minimum: 0,
    maximum: 600000,
    description: 'how long a stopping server keeps trying to write queued call records',
    expected: 'milliseconds 0..600000 a stopping server keeps trying to write queued call records'
  }),
  DEMO_DATA: Type.Optional(
    Type.Boolean({ description: 'whether POST /v1/demo-data may load the demo CRM (it replaces customers holding the demo numbers); unset: only on the embedded database', expected: 'true or false; when unset, POST /v1/demo-data is open on the embedded database only' })
  ),
  BODY_LIMIT_BYTES: Type.Integer({ default: 1048576, minimum: 1024, description: 'the largest JSON request body', expected: 'bytes, at least 1024' }),
  IMPORT_LIMIT_BYTES: Type.Integer({ default: 104857600, minimum: 1024, description: 'the largest CSV file POST /v1/customers/import takes', expected: 'bytes, at least 1024' }),
  SCREENPOP_RETENTION_SECONDS: Type.Integer({
    default: 3600,
    minimum: 1,
    maximum: 604800,
    description: 'how long a screen-pop event is kept for agent pages that reconnect',
    expected: 'seconds 1..604800 a screen-pop event is kept for agent pages that reconnect'
  }),
  CURRENCY: Type.String({ default: 'RUB', pattern: '^[A-Z]{3}$', description: "the ISO 4217 currency of the CRM's amounts, shown on the agent's card, e.g. RUB, EUR, USD", expected: 'three capital letters (ISO 4217), e.g. RUB' }),
  WALLBOARD_LANGUAGE: Type.Optional(Type.Enum(['en', 'ru'], { description: "the wallboard's language when its address has no ?lang=; unset: the browser's language", expected: 'en or ru; leave unset for the browser\'s language' })),
  SCREENPOP_HEARTBEAT_SECONDS: Type.Integer({
    default: 20,
    minimum: 1,
    maximum: 3600,
    description: 'time between pings to agent pages; two unanswered pings close the connection',
    expected: 'seconds 1..3600 between pings to agent pages; two unanswered pings close the connection'
  }),
  SCREENPOP_MAX_BACKLOG_BYTES: Type.Integer({
    default: 1048576,
    minimum: 1024,
    description: 'unsent data an agent page may fall behind before it is told to resync',
    expected: 'bytes, at least 1024: unsent data an agent page may fall behind before it is told to resync'
  }),
  SCREENPOP_KEPT_BYTES: Type.Integer({ default: 67108864, minimum: 65536, maximum: 4294967296, description: 'characters of JSON (about bytes) of screen-pop events kept for reconnecting pages, all agents together (1 MiB per agent at most, and 500 events); past it the oldest events go first', expected: 'bytes 65536..4294967296' }),
  SCREENPOP_BEFORE_RING_MS: Type.Integer({
    default: 5,
    minimum: 0,
    maximum: 1000,
    description: "how long an agent's ring from the server (SIP in path) waits at most for their screen-pop card to go out first; a slower card follows when ready",
    expected: 'milliseconds 0..1000'
  }),
  SCREENPOP_WEBHOOKS: Type.Array(
    Type.Union([
      Type.Object({ agent: Type.String({ minLength: 1 }), url: Type.String({ pattern: '^https?://[^\\s]+$' }) }, { additionalProperties: false }),
      Type.Object({ team: Type.String({ minLength: 1 }), url: Type.String({ pattern: '^https?://[^\\s]+$' }) }, { additionalProperties: false })
    ]),
    {
      default: [],
      maxItems: 1000,
      description: 'where each agent\'s screen-pop events are also POSTed, by agent ({"agent": "<agent id>", "url": "https://…"}) or by team ({"team": "<team>", "url": "https://…"})',
      expected: 'a JSON array of {"agent": "<agent id>", "url": "https://…"} or {"team": "<team>", "url": "https://…"}: where each agent\'s screen-pop events are also POSTed'
    }
  ),
  SCREENPOP_WEBHOOK_SECRET: Type.Optional(
    Type.String({ minLength: 16, description: 'the secret webhook bodies are signed with (HMAC-SHA256); required when SCREENPOP_WEBHOOKS is set', expected: 'a secret of at least 16 characters to sign webhook bodies with (HMAC-SHA256); required when SCREENPOP_WEBHOOKS is set' })
  ),
  QUEUE_WEBHOOK_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', description: 'where a waiting interaction\'s outcome is POSTed (agent chosen, overflow), signed like the screen-pop webhooks; unset: no queue webhook', expected: 'an http(s) URL where waiting interactions\' outcomes are POSTed' })),
  QUEUE_WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 16, description: 'the secret queue webhook bodies are signed with (HMAC-SHA256); required when QUEUE_WEBHOOK_URL is set', expected: 'a secret of at least 16 characters; required when QUEUE_WEBHOOK_URL is set' })),
  QUEUE_PROCESS_TIMEOUT_SECONDS: Type.Integer({ default: 10, minimum: 2, maximum: 600, description: 'with Redis, how long a server process may miss its heartbeat before another takes over the calls waiting on it', expected: 'whole seconds 2..600' }),
  ADMIN_TOKEN: Type.Optional(
    Type.String({ minLength: 16, pattern: '^\\S+$', description: 'when set, the admin endpoints require Authorization: Bearer <ADMIN_TOKEN>; unset, they are open to anyone who can reach the server (start-up warns)', expected: 'a secret of at least 16 characters, no spaces: admin endpoints then require Authorization: Bearer <ADMIN_TOKEN>' })
  ),
  SIP_DRACHTIO_HOST: Type.Optional(
    Type.String({ minLength: 1, description: 'the drachtio-server to connect to, e.g. 127.0.0.1; unset: SIP off', expected: 'the address of the drachtio-server to connect to, e.g. 127.0.0.1; leave unset to turn SIP off' })
  ),
  SIP_DRACHTIO_PORT: Type.Integer({ default: 9022, minimum: 1, maximum: 65535, description: "drachtio-server's admin port", expected: "a TCP port 1..65535: drachtio-server's admin port" }),
  SIP_DRACHTIO_SECRET: Type.Optional(
    Type.String({ minLength: 1, pattern: '^[^|\\s]+$', description: "drachtio-server's admin secret; required with SIP_DRACHTIO_HOST", expected: "drachtio-server's admin secret (no spaces or |); required when SIP_DRACHTIO_HOST is set" })
  ),
  SIP_MODE: Type.Enum(['redirect', 'in-path'], {
    default: 'redirect',
    description: 'redirect: answer 302 with the agents to ring; in-path: ring them from here, fail over, and stay in the call',
    expected: 'redirect (answer 302 with the agents to ring) or in-path (ring the agents from here and stay in the call)'
  }),
  SIP_DIALED_HEADER: Type.Optional(
    Type.String({ pattern: '^[A-Za-z][A-Za-z0-9-]*$', description: 'a SIP header to read the dialed number from before the Request-URI, e.g. Diversion or To', expected: 'a SIP header name to read the dialed number from before the Request-URI, e.g. Diversion or To' })
  ),
  SIP_NO_AGENT_STATUS: Type.Union([Type.Literal(480), Type.Literal(486)], { default: 480, description: 'the SIP status answered when nobody can take a call', expected: '480 or 486: the SIP status when nobody can take a call' }),
  SIP_RETRY_AFTER_SECONDS: Type.Integer({ default: 60, minimum: 0, maximum: 86400, description: 'the Retry-After sent with 480 and 486; 0 leaves it out', expected: 'seconds 0..86400 for Retry-After on 480/486 (0 leaves it out)' }),
  SIP_VOICEMAIL_URI: Type.Optional(
    Type.String({ pattern: '^sips?:[^\\s]+$', description: 'where calls the rules send to voicemail go (302 to it); unset: they are answered like "no agent"', expected: 'a sip: URI calls go to when the rules say voicemail, e.g. sip:voicemail@pbx.example.com' })
  ),
  SIP_MAX_DECIDING: Type.Integer({ default: 256, minimum: 0, maximum: 100000, description: 'INVITEs being decided at once at most; past it new ones are answered 503 with Retry-After (SIP_OVERLOAD_RETRY_AFTER_SECONDS) instead of too late; 0: no limit', expected: 'an integer 0..100000 (0: no limit)' }),
  SIP_MAX_LOOP_LAG_MS: Type.Integer({ default: 0, minimum: 0, maximum: 60000, description: "event-loop lag, lasting over three samples 20 ms apart, past which new INVITEs are answered 503 with Retry-After (e.g. 200: a server this late answers nothing before the caller's side retransmits); 0: not watched, only SIP_MAX_DECIDING sheds", expected: 'milliseconds 0..60000 (0: not watched)' }),
  SIP_OVERLOAD_RETRY_AFTER_SECONDS: Type.Integer({ default: 5, minimum: 1, maximum: 3600, description: 'the Retry-After of the 503 sent to INVITEs shed under overload', expected: 'seconds 1..3600' }),
  SIP_QUEUE_REFRESH_SECONDS: Type.Integer({ default: 30, minimum: 1, maximum: 60, description: 'in path, how often a waiting caller\'s 182 Queued is sent again (with the position) so that no proxy times the INVITE out', expected: 'seconds 1..60 between 182 Queued refreshes' }),
  SIP_QUEUE_PARK_URI: Type.Optional(Type.String({ pattern: '^sips?:[^\\s]+$', description: 'in redirect mode, where the PBX parks calls that must wait (302 to it, with the queue and position); unset: they are answered like "no agent"', expected: 'a sip: URI where the PBX parks waiting calls, e.g. sip:park@pbx.example.com' })),
  SIP_OUTBOUND_TRUNK: Type.Optional(
    Type.String({ pattern: '^[^\\s@:;]+(:[0-9]+)?$', description: "host[:port] of the trunk that in-path call-backs dial customers through (the agent's phone rings first); unset: no call-backs over SIP", expected: 'host[:port] of the outbound trunk for call-backs' })
  ),
  SIP_EXTENSION_HOST: Type.Optional(
    Type.String({ pattern: '^[^\\s@:;]+(:[0-9]+)?$', description: 'host[:port] of the PBX, for agents with an extension but no SIP URI; unset: the address the INVITE came from', expected: 'host[:port] of the PBX for agents that have an extension but no SIP URI; default: the address the INVITE came from' })
  ),
  REDIS_URL: Type.Optional(
    Type.String({ pattern: '^rediss?://', description: 'the Redis through which several server processes share agent states, reservations and screen-pops; unset: one process', expected: 'a redis:// URL, e.g. redis://127.0.0.1:6379/0: agent states, reservations and screen-pops shared by several server processes; leave unset for one process' })
  ),
  REDIS_KEY_PREFIX: Type.String({
    default: 'cti:',
    pattern: '^[A-Za-z0-9:_.-]{1,64}$',
    description: 'what every Redis key of this deployment starts with; the processes sharing agents use the same one',
    expected: 'letters, digits and : _ . - (1..64): what every Redis key of this deployment starts with; processes sharing agents use the same one'
  }),
  RESERVATION_TTL_SECONDS: Type.Integer({
    default: 15,
    minimum: 1,
    maximum: 3600,
    description: 'how long a reservation outlives its process: the agents of a process that dies are free again after this long',
    expected: 'seconds 1..3600 a reservation outlives its process: a process that dies frees its agents after this long'
  }),
  REDIS_TIMEOUT_MS: Type.Integer({
    default: 1000,
    minimum: 50,
    maximum: 60000,
    description: 'how long a Redis command may take; a reservation not confirmed within it (asked twice) is withdrawn and the next agent offered, never kept unchecked',
    expected: 'milliseconds 50..60000 a Redis command may take before it counts as unanswered'
  }),
  AMI_HOST: Type.Optional(Type.String({ minLength: 1, description: "the Asterisk Manager Interface's address, e.g. 127.0.0.1; unset: Asterisk off", expected: "the Asterisk Manager Interface's address, e.g. 127.0.0.1; leave unset to turn Asterisk off" })),
  AMI_PORT: Type.Integer({ default: 5038, minimum: 1, maximum: 65535, description: "the Asterisk Manager Interface's TCP port (manager.conf [general] port)", expected: 'a TCP port 1..65535 (manager.conf [general] port)' }),
  AMI_USER: Type.Optional(Type.String({ minLength: 1, pattern: '^\\S+$', description: 'the manager.conf user section to log in as; required with AMI_HOST', expected: 'the manager.conf user section name; required when AMI_HOST is set' })),
  AMI_SECRET: Type.Optional(Type.String({ minLength: 1, description: "that user's secret; required with AMI_HOST", expected: "that user's secret; required when AMI_HOST is set" })),
  AMI_AGENTS_CONTEXT: Type.String({ default: 'cti-agents', pattern: '^[A-Za-z0-9_-]+$', description: "the dialplan context that dials an agent's extension (sip-config/asterisk/extensions.conf)", expected: "the dialplan context that dials an agent's extension (sip-config/asterisk/extensions.conf)" }),
  AMI_WAIT_CONTEXT: Type.String({ default: 'cti-wait', pattern: '^[A-Za-z0-9_-]+$', description: 'the dialplan context where calls wait for the next decision', expected: 'the dialplan context where calls wait for the next decision' }),
  AMI_FINAL_CONTEXT: Type.String({ default: 'cti-final', pattern: '^[A-Za-z0-9_-]+$', description: 'the dialplan context of the final actions (voicemail, reject, queue)', expected: 'the dialplan context of the final actions (voicemail, reject, queue)' }),
  AMI_HOLD_CONTEXT: Type.String({ default: 'cti-queue-hold', pattern: '^[A-Za-z0-9_-]+$', description: 'the dialplan context where calls wait in a queue, with music on hold and announcements of position and wait', expected: 'the dialplan context where queued calls wait (sip-config/asterisk/extensions.conf)' }),
  AMI_TRANSFER_CONTEXT: Type.String({ default: 'cti-transfer', pattern: '^[A-Za-z0-9_-]+$', description: "the dialplan context a blind transfer Redirects the caller to: it dials the target's extension and holds the caller (extension hold) when the target does not answer", expected: 'the dialplan context of blind transfers (sip-config/asterisk/extensions.conf)' }),
  AMI_ANNOUNCE_SECONDS: Type.Integer({ default: 30, minimum: 5, maximum: 3600, description: "how often a waiting Asterisk caller hears their position and wait, when their queue's settings do not say", expected: 'seconds 5..3600 between announcements' }),
  AMI_OUTBOUND_CONTEXT: Type.String({ default: 'cti-outbound', pattern: '^[A-Za-z0-9_-]+$', description: "the dialplan context that dials a call-back's customer", expected: "the dialplan context that dials a call-back's customer" }),
  AMI_ACTION_TIMEOUT_MS: Type.Integer({ default: 5000, minimum: 100, maximum: 60000, description: 'how long an AMI action may take', expected: 'milliseconds 100..60000 an AMI action may take' }),
  AMI_RECONNECT_MAX_MS: Type.Integer({ default: 30000, minimum: 250, maximum: 600000, description: 'the longest wait between reconnection attempts to Asterisk (from 250 ms, doubling)', expected: 'milliseconds 250..600000: the longest wait between reconnection attempts' }),
  AMI_RECONCILE_SECONDS: Type.Integer({ default: 30, minimum: 0, maximum: 3600, description: "how often the server checks Asterisk's channels (CoreShowChannels) to end calls whose Hangup never arrived; 0 turns the check off", expected: 'seconds 0..3600 between channel checks; 0 turns them off' }),
  AMI_DIAL_TEMPLATE: Type.String({
    default: 'PJSIP/{extension}',
    pattern: '\\{extension\\}',
    description: 'the dial string GET /v1/asterisk/dial answers, with {extension}, e.g. PJSIP/{extension} or Local/{extension}@cti-phones',
    expected: 'the dial string GET /v1/asterisk/dial returns, with {extension}, e.g. PJSIP/{extension} or Local/{extension}@cti-phones'
  }),
  CALLBACK_TASK_DUE_MINUTES: Type.Integer({ default: 30, minimum: 1, maximum: 10080, description: 'how soon a missed call must be called back: its call-back task falls due then', expected: 'minutes 1..10080 within which a missed call must be called back (the call-back task falls due then)' }),
  TASK_ESCALATE_AFTER_MINUTES: Type.Integer({ default: 60, minimum: 1, maximum: 43200, description: "how long a task may stay overdue before its assignee's team lead is told", expected: "minutes 1..43200 a task may stay overdue before its assignee's team lead is told" }),
  TASK_POLL_SECONDS: Type.Integer({ default: 5, minimum: 1, maximum: 3600, description: 'time between looks for tasks falling due or overdue', expected: 'seconds 1..3600 between looks for tasks falling due or overdue' }),
  WEB_VISIT_MIN_PAGES: Type.Integer({ default: 3, minimum: 1, maximum: 1000, description: 'pages a web visit must show before an agent is told (a call-back request always is)', expected: 'an integer 1..1000: pages a web visit must show before an agent is told (a call-back request always is)' }),
  DEAL_STAGES: Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]*$' }), {
    default: ['interest', 'invoice', 'agreement', 'offer', 'done', 'paid'],
    minItems: 2,
    uniqueItems: true,
    description: 'the stages of a deal, in order; the last one means the deal is won',
    expected: 'a JSON array of at least two distinct stage names (lower-case, digits, - or _), in order; the last one means the deal is won'
  }),
  REFUSAL_REASONS: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), {
    default: ['price', 'competitor', 'no-need', 'no-budget', 'timing', 'unreachable'],
    minItems: 1,
    uniqueItems: true,
    description: 'the reasons an agent may give for a lost deal or lead',
    expected: 'a JSON array of the reasons an agent may give for a lost deal or lead, e.g. ["price", "competitor"]'
  })
})

/** Settings given as JSON text in the environment. */
const JSON_SETTINGS = new Set(['SCREENPOP_WEBHOOKS', 'DEAL_STAGES', 'REFUSAL_REASONS'])
/** Settings whose values never appear in messages. */
const SECRET_SETTINGS = new Set(['SCREENPOP_WEBHOOK_SECRET', 'QUEUE_WEBHOOK_SECRET', 'ADMIN_TOKEN', 'SIP_DRACHTIO_SECRET', 'AMI_SECRET', 'REDIS_URL'])

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
  if (parsed.QUEUE_WEBHOOK_URL !== undefined && parsed.QUEUE_WEBHOOK_SECRET === undefined) bad.add('QUEUE_WEBHOOK_SECRET')
  // SIP needs drachtio's secret: connecting without it would only be refused, over and over.
  if (parsed.SIP_DRACHTIO_HOST !== undefined && parsed.SIP_DRACHTIO_SECRET === undefined) bad.add('SIP_DRACHTIO_SECRET')
  // AMI refuses a login without both: say so at start-up rather than in a reconnect loop.
  if (parsed.AMI_HOST !== undefined && parsed.AMI_USER === undefined) bad.add('AMI_USER')
  if (parsed.AMI_HOST !== undefined && parsed.AMI_SECRET === undefined) bad.add('AMI_SECRET')
  if (bad.size > 0) {
    const properties = ConfigSchema.properties as Record<string, { expected?: string }>
    throw new ConfigError(
      [...bad].map((key) => `${key}=${shownValue(key, env[key])}: expected ${properties[key]?.expected ?? 'a valid value'}`)
    )
  }
  return Object.freeze(parsed as Static<typeof ConfigSchema>)
}

/** A variable's value as a message quotes it: secrets by their length only, and any password in a URL masked. */
function shownValue(key: string, value: string | undefined): string {
  if (value === undefined) return '(unset)'
  return SECRET_SETTINGS.has(key) ? `(hidden, ${value.length} characters)` : JSON.stringify(maskSecrets(value))
}

/** The parsed value, or the text itself when it is not JSON (validation then names the variable). */
function parseJsonSetting(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

/** One setting as documentation shows it; `schema` is its TypeBox (JSON Schema) definition. */
export interface SettingDescription {
  name: string
  default: unknown
  expected: string
  description: string
  optional: boolean
  schema: object
}

/** The settings, their defaults and meaning, for documentation. */
export function describeConfig(): SettingDescription[] {
  const required = new Set<string>(ConfigSchema.required ?? [])
  return Object.entries(ConfigSchema.properties).map(([name, schema]) => ({
    name,
    default: (schema as { default?: unknown }).default,
    expected: (schema as { expected?: string }).expected ?? '',
    description: (schema as { description?: string }).description ?? '',
    optional: !required.has(name),
    schema
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
