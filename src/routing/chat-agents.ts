import type { AgentIndex } from './agent-index.js'
import type { AgentEntry } from './agent-entry.js'
import { DEFAULT_CHAT_CAPACITY } from './chat-settings.js'
import type { AgentProfile, AgentStatus } from './types.js'

/**
 * Chats are counted apart from calls: they are routed on an AgentIndex of their own, whose
 * agents are those of the calls' index with `chatCapacity` as their capacity. What the agent chose
 * (available, away, offline, a wrap-up they set) is mirrored into it; what calls do (ringing, a
 * call in progress, the wrap-up after a call) is not, so "1 call and 2 chats" is capacity 1 and
 * chatCapacity 2, each full on its own. Pure and synchronous like the rest of the core: the chat
 * service calls sync() before routing and whenever presence may have changed.
 */
export class ChatAgents {
  /** The calls' profile and the slots each chat agent was last made from, to re-register only on a change. */
  private readonly from = new Map<string, { profile: AgentProfile; slots: number }>()

  constructor(
    private readonly calls: AgentIndex,
    readonly chats: AgentIndex
  ) {}

  /**
   * Brings the chats' index in step with the calls' one: agents added, changed or gone, and presence.
   * `heldElsewhere` counts the chats each agent holds through other server processes: those
   * slots are not this process's to give.
   */
  sync(at: number, heldElsewhere?: ReadonlyMap<string, number>): void {
    const seen = new Set<string>()
    for (const e of this.calls.allEntries()) {
      const id = e.profile.id
      seen.add(id)
      const slots = (e.profile.chatCapacity ?? DEFAULT_CHAT_CAPACITY) - (heldElsewhere?.get(id) ?? 0)
      const made = this.from.get(id)
      if (made?.profile !== e.profile || made.slots !== slots) {
        this.chats.upsertAgent({ ...e.profile, capacity: Math.max(1, slots) }, { status: 'offline', since: at })
        this.from.set(id, { profile: e.profile, slots })
      }
      const presence = slots < 1 ? 'offline' : chatPresence(e)
      const mirrored = this.chats.entry(id)!
      if (mirrored.presence !== presence) this.chats.setAgentState(id, presence, at)
    }
    for (const id of [...this.from.keys()]) {
      if (seen.has(id)) continue
      this.chats.removeAgent(id)
      this.from.delete(id)
    }
  }
}

/** What an agent's presence means for chats: only their own choices count. */
function chatPresence(e: AgentEntry): AgentStatus {
  switch (e.presence) {
    case 'available':
    case 'ringing':
    case 'busy':
      return 'available'
    case 'wrap-up':
      // A wrap-up that ends by itself follows a call; one without an end is the agent's choice.
      return e.wrapUpUntil !== null ? 'available' : 'wrap-up'
    case 'away':
    case 'offline':
      return e.presence
  }
}
