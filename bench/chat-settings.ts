/** What `npm run bench:chat` runs, read once from BENCH_* variables (docs in bench/chat.ts). */
export interface ChatBenchSettings {
  databaseUrl: string
  redisUrl: string
  /** The Origin every visitor request and socket carries; the copied chat.yaml allows it. */
  origin: string
  agents: number
  chatCapacity: number
  visitors: number
  /** Messages a second, both directions together. */
  rate: number
  seconds: number
  /** Pause before each memory reading and the idle CPU baseline. */
  settleMs: number
  /** After the last message is sent, how long to wait for stragglers before counting them lost. */
  drainMs: number
  /** Visitors opening their chat at the same time. */
  openConcurrency: number
}

/** The settings, frozen; throws naming every variable that is not a positive whole number. */
export function chatBenchSettings(env: NodeJS.ProcessEnv): Readonly<ChatBenchSettings> {
  const bad: string[] = []
  const whole = (name: string, fallback: number, min = 1): number => {
    const raw = env[name]
    const value = raw === undefined || raw === '' ? fallback : Number(raw)
    if (!Number.isSafeInteger(value) || value < min) bad.push(`${name}=${raw} (a whole number ≥ ${min})`)
    return value
  }
  const settings: ChatBenchSettings = {
    databaseUrl: env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    redisUrl: env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
    origin: env.BENCH_ORIGIN ?? 'http://bench.example',
    agents: whole('BENCH_AGENTS', 200),
    chatCapacity: whole('BENCH_CHAT_CAPACITY', 12),
    visitors: whole('BENCH_VISITORS', 2000),
    rate: whole('BENCH_RATE', 100),
    seconds: whole('BENCH_SECONDS', 30),
    settleMs: whole('BENCH_SETTLE_MS', 3000, 0),
    drainMs: whole('BENCH_DRAIN_MS', 5000, 0),
    openConcurrency: whole('BENCH_OPEN_CONCURRENCY', 20)
  }
  if (settings.agents * settings.chatCapacity < settings.visitors) bad.push(`BENCH_AGENTS × BENCH_CHAT_CAPACITY (${settings.agents * settings.chatCapacity}) must hold BENCH_VISITORS (${settings.visitors})`)
  if (bad.length > 0) throw new Error(`bench:chat settings: ${bad.join('; ')}`)
  return Object.freeze(settings)
}
