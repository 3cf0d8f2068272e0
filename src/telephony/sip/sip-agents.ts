import type { AgentView } from '../../routing/index.js'
import { agentUri } from './agent-uri.js'
import { parseNameAddr, parseUri } from './name-addr.js'

/** The agents as the core holds them: enough to ring one and to know one from a URI. */
export interface SipAgentDirectory {
  get(id: string): Pick<AgentView, 'profile'> | undefined
  snapshot(): readonly Pick<AgentView, 'profile'>[]
}

/** The SIP URI to ring an agent at (their SIP URI, or their extension at the PBX), or null. */
export function addressOf(agents: SipAgentDirectory, agentId: string, pbxHost: string): string | null {
  const address = agents.get(agentId)?.profile.address
  return address ? agentUri(address, pbxHost) : null
}

/**
 * The agent a URI names (a phone's Refer-To: `<sip:clara@pbx>`, `sip:1003@10.0.0.5`): the one whose
 * URI has that user and host; else the only one with that user (phones put their registrar's
 * address, not the one the CRM holds). Null when none, or when the user alone names several.
 */
export function agentAt(agents: SipAgentDirectory, text: string, pbxHost: string): string | null {
  const wanted = parseNameAddr(text) ?? null
  const user = wanted?.user?.toLowerCase()
  if (!user) return null
  const host = hostOnly(wanted!.host)
  const sameUser: string[] = []
  for (const view of agents.snapshot()) {
    const uri = agentUri(view.profile.address, pbxHost)
    const parsed = uri ? parseUri(uri) : null
    if (parsed?.user?.toLowerCase() !== user) continue
    if (hostOnly(parsed.host) === host) return view.profile.id
    sameUser.push(view.profile.id)
  }
  return sameUser.length === 1 ? sameUser[0]! : null
}

function hostOnly(host: string | null): string {
  return (host ?? '').toLowerCase().replace(/:\d+$/, '')
}
