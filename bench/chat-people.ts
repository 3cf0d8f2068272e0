// The people of `npm run bench:chat`, through the server's real HTTP and sockets only: agents
// (created, set available, their chat socket on their home process) and visitors (a page view, a
// chat asked for, their socket on the other process than their agent's).
import WebSocket from 'ws'
import type { ChatServer } from './chat-servers.js'

/** One socket of the bench; its JSON messages go to whatever `handle` is now (each phase sets its own). */
export interface Peer {
  socket: WebSocket
  server: ChatServer
  handle: (message: any) => void
  /** Set when the server closed the socket (e.g. 1013: it fell too far behind). */
  closed?: { code: number; reason: string }
}

export interface BenchAgent extends Peer {
  id: string
  name: string
}

export interface BenchChat {
  chatId: string
  agent: BenchAgent
  visitor: Peer
  /** The request answered `waiting` (the agent chosen was filled by the other process first): given a moment later. */
  waitedFirst: boolean
}

/** A JSON call; the answer's body, or an error naming the status and the body. */
export async function call(method: string, url: string, body?: unknown, origin?: string): Promise<any> {
  const headers: Record<string, string> = {}
  if (origin) headers.origin = origin
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`)
  return text === '' ? null : JSON.parse(text)
}

/**
 * Opens a socket, its messages parsed and handed to the peer's handler. `handle` is the first
 * handler: a server's first message may come in the same packet as the upgrade, before the
 * caller's code after `await connect()` runs.
 */
export function connect(server: ChatServer, path: string, o: { origin?: string; handle?: (message: any) => void } = {}): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}${path}`, o.origin ? { headers: { origin: o.origin } } : {})
    const peer: Peer = { socket, server, handle: o.handle ?? (() => {}) }
    socket.on('message', (data) => peer.handle(JSON.parse(String(data))))
    socket.on('error', reject)
    socket.once('open', () => resolve(peer))
    socket.once('close', (code, reason) => {
      peer.closed = { code, reason: String(reason) }
      reject(new Error(`socket ${path.split('?')[0]} on ${server.name} closed at once: ${code} ${reason}`))
    })
  })
}

/** Runs `work` on every item, `concurrency` at a time. */
export async function pool<T>(items: readonly T[], concurrency: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      await work(items[i]!, i)
    }
  }))
}

/**
 * `count` agents who know the CRM (levels 5–9, so the chat rules' best expert step takes them),
 * each created, set available and connected on process i % servers; resolves once every process
 * sees them all available.
 */
export async function connectAgents(servers: readonly ChatServer[], o: { count: number; chatCapacity: number; concurrency: number }): Promise<BenchAgent[]> {
  const agents: BenchAgent[] = []
  await pool(Array.from({ length: o.count }, (_, i) => i), o.concurrency, async (i) => {
    const home = servers[i % servers.length]!
    const id = `bench-agent-${String(i).padStart(4, '0')}`
    const name = `Bench Agent ${String(i).padStart(4, '0')}`
    await call('PUT', `${home.url}/v1/agents/${id}`, { name, extension: String(5000 + i), team: 'sales', skills: { 'product:crm': 5 + (i % 5) }, chatCapacity: o.chatCapacity })
    await call('PUT', `${home.url}/v1/agents/${id}/state`, { state: 'available' })
    const { token } = await call('POST', `${home.url}/v1/agents/${id}/token`)
    // The same object the socket hands its messages to (a copy would keep the old handler).
    agents[i] = Object.assign(await connect(home, `/v1/agents/chat-socket?token=${token}`), { id, name })
  })
  const ids = new Set(agents.map((a) => a.id))
  for (const server of servers) {
    await until(async () => {
      const states = (await call('GET', `${server.url}/v1/agents/states`)) as { agentId: string; status: string }[]
      return states.filter((s) => ids.has(s.agentId) && s.status === 'available').length === ids.size
    }, 15_000, `process ${server.name} to see the ${ids.size} agents available`)
  }
  return agents
}

/**
 * One visitor: a page about the CRM and a chat asked for on `entry`; once the chat is an agent's
 * (their socket got it), the visitor's socket on another process than the agent's, so that every
 * message of the chat crosses Redis. Null when no agent got the chat within `waitMs`.
 */
export async function openChat(servers: readonly ChatServer[], entry: ChatServer, agents: readonly BenchAgent[], owners: ChatOwners, o: { origin: string; waitMs: number }): Promise<BenchChat | null> {
  const view = await call('POST', `${entry.url}/v1/chat/views`, { site: 'demo', url: `${o.origin}/demo/site/crm`, title: 'Spring CRM' }, o.origin)
  const asked = await call('POST', `${entry.url}/v1/chat/requests`, { site: 'demo', visitorId: view.visitorId }, o.origin)
  const agentIndex = await owners.ownerOf(asked.chatId, o.waitMs)
  if (agentIndex === null) return null
  const agent = agents[agentIndex]!
  const away = servers.find((s) => s !== agent.server) ?? agent.server
  // The socket is the chat's once the hello arrives (it is added before the hello is read).
  let heard: (hello: any) => void = () => {}
  const hello = new Promise<any>((resolve) => (heard = resolve))
  const visitor = await connect(away, `/v1/chat/socket?site=demo&visitorId=${view.visitorId}&chatId=${asked.chatId}&since=0`, { origin: o.origin, handle: (m) => m.type === 'hello' && heard(m) })
  let timer: NodeJS.Timeout | undefined
  const said = await Promise.race([hello, new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), o.waitMs)))])
  clearTimeout(timer)
  visitor.handle = () => {}
  if (said === null) throw new Error(`no hello on chat ${asked.chatId} within ${o.waitMs} ms`)
  if (said.state !== 'talking') throw new Error(`chat ${asked.chatId}: the hello says ${said.state}, though its agent's socket had it`)
  return { chatId: asked.chatId, agent, visitor, waitedFirst: asked.state !== 'talking' }
}

/** Which agent's socket each chat was given on (their `chat` message), for those who wait to know. */
export class ChatOwners {
  private readonly owners = new Map<string, number>()
  private readonly waiters = new Map<string, (agentIndex: number) => void>()
  /** Chats given to a second agent while the first still had them: double assignments (a bug). */
  doubles = 0

  /** Makes the agents' sockets report the chats they are given. */
  listen(agents: readonly BenchAgent[]): void {
    agents.forEach((agent, i) => {
      agent.handle = (m) => {
        if (m.type !== 'chat') return
        const before = this.owners.get(m.chat.id)
        if (before !== undefined && before !== i) this.doubles++
        this.owners.set(m.chat.id, i)
        this.waiters.get(m.chat.id)?.(i)
      }
    })
  }

  ownerOf(chatId: string, waitMs: number): Promise<number | null> {
    const known = this.owners.get(chatId)
    if (known !== undefined) return Promise.resolve(known)
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(chatId)
        resolve(null)
      }, waitMs)
      this.waiters.set(chatId, (i) => {
        clearTimeout(timer)
        this.waiters.delete(chatId)
        resolve(i)
      })
    })
  }
}

async function until(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}
