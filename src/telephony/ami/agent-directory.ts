import type { Agent } from '../../crm/agent.repository.js'

/** How an agent is reached through Asterisk: their extension in the agents context, and the device names that are theirs. */
export interface AgentLine {
  agentId: string
  /** The extension the agents context dials, e.g. "1001". */
  extension: string
}

/**
 * Who is behind an extension or a device. Agents carry an `extension` (e.g.
 * "1001", or a full device such as "PJSIP/alice") and/or a `sip_uri` in the
 * CRM; any technology's device for that extension ("PJSIP/1001", "SIP/1001",
 * "Local/1001@…") is theirs.
 */
export class AgentDirectory {
  private readonly byExtension = new Map<string, string>()
  private readonly byDevice = new Map<string, string>()
  private readonly lines = new Map<string, AgentLine>()

  /** Replaces everything known with these agents (inactive ones are left out). */
  load(agents: readonly Agent[]): void {
    this.byExtension.clear()
    this.byDevice.clear()
    this.lines.clear()
    for (const agent of agents) this.set(agent)
  }

  /** Adds or replaces one agent. */
  set(agent: Agent): void {
    this.remove(agent.id)
    if (!agent.active) return
    const extension = lineOf(agent)
    if (extension === null) return
    this.lines.set(agent.id, { agentId: agent.id, extension })
    if (extension.includes('/')) this.byDevice.set(extension.toLowerCase(), agent.id)
    else this.byExtension.set(extension, agent.id)
  }

  remove(agentId: string): void {
    const line = this.lines.get(agentId)
    if (!line) return
    this.lines.delete(agentId)
    this.byDevice.delete(line.extension.toLowerCase())
    this.byExtension.delete(line.extension)
  }

  line(agentId: string): AgentLine | undefined {
    return this.lines.get(agentId)
  }

  /** The agent behind an extension ("1001"), or undefined. */
  byExten(extension: string): string | undefined {
    return this.byExtension.get(extension)
  }

  /** The agent behind a device ("PJSIP/1001", "Local/1001@cti-agents"), or undefined. */
  byDeviceName(device: string): string | undefined {
    const exact = this.byDevice.get(device.toLowerCase())
    if (exact !== undefined) return exact
    const slash = device.indexOf('/')
    if (slash < 0) return undefined
    const rest = device.slice(slash + 1)
    const at = rest.indexOf('@')
    return this.byExtension.get(at < 0 ? rest : rest.slice(0, at))
  }

  get size(): number {
    return this.lines.size
  }
}

/** The extension (or device) to ring: the CRM's extension, else the user part of the SIP URI. */
function lineOf(agent: Agent): string | null {
  if (agent.extension) return agent.extension
  const match = agent.sipUri ? /^sips?:([^@;]+)@/.exec(agent.sipUri) : null
  return match ? match[1]! : null
}
