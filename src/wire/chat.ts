import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import { chatHistoryRoutes } from '../api/chat-history.routes.js'
import { chatSocketRoutes } from '../api/chat-socket.routes.js'
import { chatVisitorRoutes } from '../api/chat-visitor.routes.js'
import { chatWidgetRoutes } from '../api/chat-widget.routes.js'
import { demoSiteRoutes } from '../api/demo-site.routes.js'
import { meChatRoutes } from '../api/me-chat.routes.js'
import { ChatConversations } from '../chat/chat-conversations.js'
import { ChatRouting } from '../chat/chat-routing.js'
import { ChatSites } from '../chat/chat-sites.js'
import { ChatSockets } from '../chat/chat-sockets.js'
import { LocalChatStore, type ChatStore } from '../chat/chat-store.js'
import { ChatTalk } from '../chat/chat-talk.js'
import { ChatTasks } from '../chat/chat-tasks.js'
import { ChatWriter } from '../chat/chat-writer.js'
import { RateLimiter } from '../chat/rate-limit.js'
import { RedisChatStore } from '../chat/redis-chat-store.js'
import { VisitorDesk } from '../chat/visitor-desk.js'
import { VisitorStore } from '../chat/visitor-store.js'
import type { Config } from '../config.js'
import type { CrmDatabase } from '../crm/database.js'
import type { WriteHealth } from '../durability/write-health.js'
import type { AgentIndex, QueueSnapshot, RuleSet } from '../routing/index.js'
import type { WorkflowEvent } from '../workflows/notices.js'
import { StartupError } from './startup-error.js'

export interface ChatDeps {
  config: Config
  logger: Logger
  now: () => number
  database: CrmDatabase
  agents: AgentIndex
  /** The rules in force (they carry chat.yaml); undefined before the first set is loaded. */
  rules: () => RuleSet | undefined
  notify: (agentId: string, event: WorkflowEvent) => void
  writes: WriteHealth
}

export interface ChatParts {
  conversations: ChatConversations
  sockets: ChatSockets
  store: ChatStore
  writer: ChatWriter
  /** The chats' queues in this process. */
  queues: () => QueueSnapshot[]
}

/**
 * The web chat: the widget's files and public endpoints, the visitor's and the agent's sockets,
 * chats routed by the core on an agent index of their own, kept in this process or in Redis
 * (several processes), their transcripts written to PostgreSQL in batches. Started with the
 * server (onReady), stopped with it (onClose).
 */
export function wireChat(server: FastifyInstance, deps: ChatDeps): ChatParts {
  const { config, now, database } = deps
  const logger = deps.logger.child({ component: 'chat' })
  const db = database.db
  const sites = new ChatSites(() => deps.rules()?.chat)
  const redis = config.REDIS_URL ? new RedisChatStore({ url: config.REDIS_URL, prefix: config.REDIS_KEY_PREFIX, logger }) : null
  const store: ChatStore = redis ?? new LocalChatStore()
  const visitors = new VisitorStore(db)
  const writer = new ChatWriter({ db, logger, health: deps.writes })
  const routing = new ChatRouting(deps.agents, { now, random: Math.random, rules: () => inForce(deps.rules) })
  const tasks = new ChatTasks({ db, visitors, agents: deps.agents, notify: deps.notify, logger, now })
  const processId = `${process.pid}-${randomBytes(4).toString('hex')}`
  const conversations = new ChatConversations({ store, routing, visitors, writer, tasks, logger, now, processId, shared: redis !== null })
  const talk = new ChatTalk({ store, conversations, visitors, tasks, writer, limiter: new RateLimiter(now), settings: () => sites.settings(), now })
  const sockets = new ChatSockets(store)
  const desk = new VisitorDesk({ sites, visitors, conversations, routing, tasks, country: config.DEFAULT_COUNTRY, now })

  void server.register(chatWidgetRoutes, {})
  void server.register(demoSiteRoutes)
  void server.register(chatVisitorRoutes, { sites, desk })
  void server.register(chatSocketRoutes, { db, sites, store, sockets, talk, conversations })
  void server.register(meChatRoutes, { db, sites, conversations })
  void server.register(chatHistoryRoutes, { db })
  server.addHook('onReady', async () => {
    await redis?.start()
    await conversations.start()
  })
  server.addHook('onClose', async () => {
    await conversations.stop()
    await writer.close()
    await store.close()
  })
  return { conversations, sockets, store, writer, queues: () => routing.queueSnapshots() }
}

/** Chats are routed only once the chat's settings were found in a loaded set, so a set is in force. */
function inForce(rules: () => RuleSet | undefined): RuleSet {
  const set = rules()
  if (!set) throw new StartupError('routing rules are not loaded yet')
  return set
}
