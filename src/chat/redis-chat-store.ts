import { Redis } from 'ioredis'
import type { Logger } from 'pino'
import { KEPT_MESSAGES, type ChatEvent, type ChatRecord, type ChatStore, type NewMessage } from './chat-store.js'
import type { ChatMessage } from './protocol.js'

/** How long a chat's keys stay in Redis after its last change: a day (the transcript is in PostgreSQL). */
const TTL_SECONDS = 24 * 3600

// Numbers a message and appends it in one step, so two processes never give out one seq twice
// and the list is in seq order. ARGV[1] is the message's JSON starting with {"seq":0,
const APPEND = `
local seq = redis.call('INCR', KEYS[1])
local body = '{"seq":' .. seq .. string.sub(ARGV[1], 9)
redis.call('RPUSH', KEYS[2], body)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[2]), -1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
redis.call('EXPIRE', KEYS[2], ARGV[3])
return seq
`

// Adds the chat to the agent's set unless the set is already full: 1 taken, 0 full.
const CLAIM = `
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return 1 end
if redis.call('SCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
`

// Moves a waiting chat to another process's queue only if the dead owner still has it.
const ADOPT = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`

/**
 * Chats shared by several server processes through Redis: a chat's record, seq and latest
 * messages under `<prefix>chat:<id>…`, each agent's and visitor's open chats, and one pub/sub
 * channel that carries every event to every process (each sends it to its own sockets).
 */
export class RedisChatStore implements ChatStore {
  private readonly commands: Redis
  private readonly subscriber: Redis
  private readonly handlers: ((event: ChatEvent) => void)[] = []
  private readonly channel: string

  constructor(private readonly o: { url: string; prefix: string; logger: Logger }) {
    const options = { lazyConnect: false, maxRetriesPerRequest: 1, retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2000) }
    this.commands = new Redis(o.url, options)
    this.subscriber = new Redis(o.url, options)
    this.channel = `${o.prefix}chat:events`
    for (const connection of [this.commands, this.subscriber]) connection.on('error', (err) => o.logger.warn({ err }, 'chat: Redis connection error'))
    this.commands.defineCommand('chatAppend', { numberOfKeys: 2, lua: APPEND })
    this.commands.defineCommand('chatClaim', { numberOfKeys: 1, lua: CLAIM })
    this.commands.defineCommand('chatAdopt', { numberOfKeys: 1, lua: ADOPT })
    this.subscriber.on('message', (channel: string, body: string) => {
      if (channel !== this.channel) return
      let event: ChatEvent
      try {
        event = JSON.parse(body) as ChatEvent
      } catch (err) {
        o.logger.warn({ err }, 'chat: an event from Redis does not parse; ignored')
        return
      }
      for (const handler of this.handlers) handler(event)
    })
  }

  /** Resolves once subscribed, so no event published after it is missed. */
  async start(): Promise<void> {
    await this.subscriber.subscribe(this.channel)
  }

  private key(...parts: string[]): string {
    return `${this.o.prefix}chat:${parts.join(':')}`
  }

  async save(chat: ChatRecord): Promise<void> {
    await this.commands.set(this.key(chat.id), JSON.stringify(chat), 'EX', TTL_SECONDS)
  }

  async get(id: string): Promise<ChatRecord | null> {
    const body = await this.commands.get(this.key(id))
    return body === null ? null : (JSON.parse(body) as ChatRecord)
  }

  async append(chatId: string, message: NewMessage): Promise<ChatMessage> {
    const body = JSON.stringify({ seq: 0, ...message })
    const run = (this.commands as unknown as { chatAppend(k1: string, k2: string, body: string, keep: number, ttl: number): Promise<number> }).chatAppend
    const seq = await run.call(this.commands, this.key(chatId, 'seq'), this.key(chatId, 'messages'), body, KEPT_MESSAGES, TTL_SECONDS)
    return { seq, ...message }
  }

  async messages(chatId: string, since: number): Promise<ChatMessage[]> {
    const bodies = await this.commands.lrange(this.key(chatId, 'messages'), 0, -1)
    return bodies.map((b) => JSON.parse(b) as ChatMessage).filter((m) => m.seq > since).sort((a, b) => a.seq - b.seq)
  }

  async agentChats(agentId: string): Promise<string[]> {
    return this.commands.smembers(this.key('agent', agentId))
  }

  async setAgentChat(agentId: string, chatId: string, open: boolean): Promise<void> {
    if (open) await this.commands.multi().sadd(this.key('agent', agentId), chatId).expire(this.key('agent', agentId), TTL_SECONDS).exec()
    else await this.commands.srem(this.key('agent', agentId), chatId)
  }

  async claimAgentChat(agentId: string, chatId: string, capacity: number): Promise<boolean> {
    const run = (this.commands as unknown as { chatClaim(key: string, chatId: string, capacity: number, ttl: number): Promise<number> }).chatClaim
    return (await run.call(this.commands, this.key('agent', agentId), chatId, capacity, TTL_SECONDS)) === 1
  }

  async heldCounts(agentIds: readonly string[]): Promise<Map<string, number>> {
    if (agentIds.length === 0) return new Map()
    const pipeline = this.commands.pipeline()
    for (const id of agentIds) pipeline.scard(this.key('agent', id))
    const answers = (await pipeline.exec()) ?? []
    return new Map(agentIds.map((id, i) => [id, Number(answers[i]?.[1] ?? 0)]))
  }

  async visitorChat(visitorId: string): Promise<string | null> {
    return this.commands.get(this.key('visitor', visitorId))
  }

  async setVisitorChat(visitorId: string, chatId: string | null): Promise<void> {
    if (chatId === null) await this.commands.del(this.key('visitor', visitorId))
    else await this.commands.set(this.key('visitor', visitorId), chatId, 'EX', TTL_SECONDS)
  }

  async heartbeat(processId: string, ttlMs: number): Promise<void> {
    await this.commands.set(this.key('alive', processId), '1', 'PX', ttlMs)
  }

  async setWaitingOwner(chatId: string, processId: string | null): Promise<void> {
    if (processId === null) await this.commands.hdel(this.key('waiting'), chatId)
    else await this.commands.hset(this.key('waiting'), chatId, processId)
  }

  async orphans(): Promise<{ chatId: string; owner: string }[]> {
    const waiting = await this.commands.hgetall(this.key('waiting'))
    const owners = [...new Set(Object.values(waiting))]
    if (owners.length === 0) return []
    const alive = await this.commands.mget(...owners.map((owner) => this.key('alive', owner)))
    const dead = new Set(owners.filter((_, i) => alive[i] === null))
    return Object.entries(waiting).filter(([, owner]) => dead.has(owner)).map(([chatId, owner]) => ({ chatId, owner }))
  }

  async adopt(chatId: string, from: string, to: string): Promise<boolean> {
    const run = (this.commands as unknown as { chatAdopt(key: string, chatId: string, from: string, to: string): Promise<number> }).chatAdopt
    return (await run.call(this.commands, this.key('waiting'), chatId, from, to)) === 1
  }

  publish(event: ChatEvent): void {
    this.commands.publish(this.channel, JSON.stringify(event)).catch((err: unknown) => {
      // Redis is away: this process's own sockets still hear it; the others catch up on reconnect (since).
      this.o.logger.warn({ err, chatId: event.chatId }, 'chat event not shared through Redis; delivered here only')
      for (const handler of this.handlers) handler(event)
    })
  }

  onEvent(handler: (event: ChatEvent) => void): void {
    this.handlers.push(handler)
  }

  async close(): Promise<void> {
    this.commands.disconnect()
    this.subscriber.disconnect()
  }
}
