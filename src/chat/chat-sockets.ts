import type { WebSocket } from 'ws'
import type { ChatEvent, ChatStore } from './chat-store.js'
import type { AgentServerMessage, VisitorServerMessage } from './protocol.js'

/** A socket that is not reading falls this far behind before it is dropped (it reconnects with since). */
const MAX_BUFFERED_BYTES = 1 << 20

/**
 * The chat sockets connected to this process: each visitor's by chat, each agent's by agent.
 * Every event of the store (this process's and, on Redis, every other's) is sent to the sockets
 * it concerns here, so a visitor and their agent may be connected to different processes.
 */
export class ChatSockets {
  private readonly visitors = new Map<string, Set<WebSocket>>()
  private readonly agents = new Map<string, Set<WebSocket>>()

  constructor(store: ChatStore) {
    store.onEvent((event) => this.deliver(event))
  }

  get counts(): { visitors: number; agents: number } {
    let visitors = 0
    let agents = 0
    for (const set of this.visitors.values()) visitors += set.size
    for (const set of this.agents.values()) agents += set.size
    return { visitors, agents }
  }

  /** Keeps the socket until it closes. */
  addVisitor(chatId: string, socket: WebSocket): void {
    add(this.visitors, chatId, socket)
  }

  addAgent(agentId: string, socket: WebSocket): void {
    add(this.agents, agentId, socket)
  }

  private deliver(event: ChatEvent): void {
    if (event.toVisitor) for (const socket of this.visitors.get(event.chatId) ?? []) send(socket, event.toVisitor)
    if (event.toAgent && event.agentId) for (const socket of this.agents.get(event.agentId) ?? []) send(socket, event.toAgent)
  }
}

function add(map: Map<string, Set<WebSocket>>, key: string, socket: WebSocket): void {
  let set = map.get(key)
  if (!set) map.set(key, (set = new Set()))
  set.add(socket)
  socket.on('close', () => {
    set.delete(socket)
    if (set.size === 0 && map.get(key) === set) map.delete(key)
  })
}

export function send(socket: WebSocket, message: VisitorServerMessage | AgentServerMessage): void {
  if (socket.readyState !== socket.OPEN) return
  if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
    socket.close(1013, 'too far behind; reconnect')
    return
  }
  socket.send(JSON.stringify(message))
}
