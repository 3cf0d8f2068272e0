/**
 * Domain types of the routing core. The core is pure and synchronous: it holds
 * agents and their live state in memory and turns an interaction into a
 * RouteDecision. Nothing here performs I/O; clock and random are passed in.
 */
import type { ChatSettings } from './chat-settings.js'
import type { QueuedPosition, QueueSettings } from './waiting/types.js'

/** What an agent is doing right now, as far as routing is concerned. */
export type AgentStatus = 'offline' | 'available' | 'ringing' | 'busy' | 'wrap-up' | 'away'

/** Static description of an agent, loaded from the CRM store. */
export interface AgentProfile {
  id: string
  name: string
  /** Team name (e.g. "sales", "vip-desk"), or null when the agent belongs to none. */
  team: string | null
  /** Where to ring the agent: a SIP URI (sip:alice@pbx) or a PBX extension ("1001"). */
  address: string
  /** How many interactions the agent may have ringing or in progress at once (>= 1). */
  capacity: number
  /** Skill name → proficiency 1..10. */
  skills: Readonly<Record<string, number>>
  /** How many web chats the agent may hold at once, counted apart from `capacity` (0: none; absent: 3). */
  chatCapacity?: number
}

/**
 * Live state of an agent, owned by the core's agent index. Times are epoch milliseconds.
 *
 * `status` is derived: 'offline', 'away' and 'wrap-up' are what the agent (or the index, after a
 * call) set; an agent who is otherwise available reads 'ringing' while an offer to them is
 * unanswered, 'busy' while they talk, and 'available' with nothing in progress. An agent is
 * eligible for a new interaction when they are not offline, away or in wrap-up and
 * activeCalls < capacity — so an agent with capacity > 1 stays eligible while 'ringing' or 'busy'.
 */
export interface AgentState {
  status: AgentStatus
  /** When the status last changed. */
  since: number
  /** Interactions currently reserved (ringing) or in progress (talking) for this agent. */
  activeCalls: number
  /** Of activeCalls, those offered and not yet answered. */
  ringingCalls: number
  /** When the current wrap-up ends by itself; null when not in wrap-up or when the agent chose wrap-up and ends it themselves. */
  wrapUpUntil: number | null
  /** Interactions answered since the start of the day (reset by the adapter at midnight). */
  callsToday: number
  /** When the agent's last interaction ended, or null if none today. */
  lastCallEndedAt: number | null
}

export type InteractionKind = 'call' | 'web-visit' | 'callback' | 'chat'
export type Channel = 'sip' | 'ami' | 'http' | 'web'

/** Something that needs an agent: an inbound call, a web visit, a call-back request. */
export interface Interaction {
  id: string
  kind: InteractionKind
  /** Caller in E.164 (+79161234567), or null when anonymous/withheld/garbage. */
  caller: string | null
  /** Dialed number (line) in E.164, or null when unknown. */
  dialed: string | null
  /** When it arrived, epoch milliseconds. */
  at: number
  channel: Channel
  /** Product the visitor looked at / asked about, when known (web visits, call-back requests). */
  product?: string | null
}

/** What routing needs to know about a known caller. Built by the CRM layer. */
export interface CustomerSummary {
  id: string
  name: string
  ownerAgentId: string | null
  tier: string | null
  segment: string | null
  language: string | null
  overdueAmount: number
  overdueDays: number
  blocked: boolean
  /** The agent who last handled this customer, and when (epoch ms). */
  lastAgentId: string | null
  lastContactAt: number | null
  /** Stage of the customer's most advanced open deal, or null. */
  openDealStage: string | null
}

/** Attributes of the dialed number: which advertised line/campaign the caller used. */
export interface LineInfo {
  number: string
  name: string | null
  source: string | null
  campaign: string | null
  product: string | null
  costPerLead: number | null
}

/** How to pick among several eligible agents. */
export type Strategy = 'longest-idle' | 'fewest-calls' | 'best-skill' | 'round-robin' | 'random'

export interface SkillRequirement {
  skill: string
  /** Minimum proficiency 1..10 (inclusive). */
  minProficiency: number
}

/**
 * One step of a rule's route: a way to find candidate agents. `waitSeconds` (rules: `wait: 30s`):
 * when the step's agents are all logged in but busy, the interaction waits up to that long for
 * them (in the rule's `otherwise` queue) before the next steps are tried; see src/routing/waiting.
 */
export type RouteStep =
  | { kind: 'owner'; ringSeconds: number; waitSeconds?: number }
  | { kind: 'last-agent'; withinDays: number; ringSeconds: number; waitSeconds?: number }
  | { kind: 'agent'; agentId: string; ringSeconds: number; waitSeconds?: number }
  | { kind: 'team'; team: string; strategy: Strategy; ringSeconds: number; waitSeconds?: number }
  | {
      kind: 'skills'
      waitSeconds?: number
      /** All of these, each at or above its minimum proficiency. */
      skills: readonly SkillRequirement[]
      /**
       * When set, the line's product (or the interaction's product) is required as a skill too, as
       * the first requirement: best-skill ranks by it. Without a known product it adds nothing.
       */
      lineProduct?: { minProficiency: number }
      /** When set, only agents of this team: the skills pick among the team, not the whole floor. */
      team?: string
      strategy: Strategy
      ringSeconds: number
    }

/** What happens when no agent can take the interaction (or what a rule decides outright). */
export type FinalAction =
  | { kind: 'queue'; queue: string }
  | { kind: 'voicemail'; mailbox: string | null; callbackTask: boolean }
  | { kind: 'reject'; cause: string; sipStatus: 403 | 486 | 480 | 603 }

/** Values a rule condition can read. Built once per decision by buildRuleContext. */
export interface RuleContext {
  caller: { number: string | null; known: boolean; anonymous: boolean }
  customer: {
    id: string | null
    tier: string | null
    segment: string | null
    language: string | null
    overdueAmount: number
    overdueDays: number
    blocked: boolean
    hasOwner: boolean
    openDealStage: string | null
  }
  /** `product` is the line's product, else the product the interaction is about (web visit, call-back request). */
  line: { number: string | null; source: string | null; campaign: string | null; product: string | null }
  interaction: { kind: InteractionKind; channel: Channel }
  time: {
    /** Local (rules' time zone) hour 0..23, minute 0..59, ISO weekday 1 (Mon)..7 (Sun). */
    hour: number
    minute: number
    weekday: number
    businessHours: boolean
    holiday: boolean
  }
}

/** A rule compiled from the routing-rules files: the condition is a ready function. */
export interface CompiledRule {
  name: string
  /** Where it was written, for traces and errors: "rules.yaml:12". */
  source: string
  /** Higher is served first when agents are scarce (e.g. VIP 10, default 0). */
  priority: number
  /** The compiled `when` condition; absent means "always". May throw on missing data: the core treats a throw as "no match". */
  when?: (ctx: RuleContext) => boolean
  /** Steps tried in order; the targets found are offered in that order. */
  steps: readonly RouteStep[]
  /** What to do when the steps find nobody (or immediately, when steps is empty). */
  otherwise: FinalAction
}

/** Business calendar: answers local time facts for an instant. Compiled by the rules layer. */
export interface BusinessCalendar {
  timeZone: string
  /** Local time facts for an epoch-ms instant. Must be fast (called once per decision). */
  at(epochMs: number): RuleContext['time']
}

/** A whole compiled rule set, swapped atomically on reload. */
export interface RuleSet {
  /** Content hash of the files it was compiled from. */
  version: string
  loadedAt: number
  calendar: BusinessCalendar
  rules: readonly CompiledRule[]
  /** Lines defined in the rules files (dialed number → attributes). */
  lines: ReadonlyMap<string, LineInfo>
  /** What to do when no rule matches at all. */
  fallback: FinalAction
  /** Queue settings by name (queues.yaml). A queue not listed waits with DEFAULT_QUEUE_SETTINGS. */
  queues?: ReadonlyMap<string, QueueSettings>
  /** The web chat's settings (chat.yaml), when the set has a `chat` section. */
  chat?: ChatSection
}

/** One agent offered the interaction. */
export interface RouteTarget {
  agentId: string
  address: string
  ringSeconds: number
  /** Which step found this agent ("owner", "last-agent", "skills", ...). */
  step: RouteStep['kind']
  /** Plain-words reason this agent gets the interaction, for their screen-pop ("your customer"). */
  reason: string
}

export type SkipReason =
  | 'offline'
  | 'away'
  | 'wrap-up'
  | 'at-capacity'
  | 'lacks-skill'
  | 'below-proficiency'
  /** Not in the team the step is limited to (reported before skills: no skill level would help). */
  | 'other-team'
  | 'unknown-agent'
  | 'last-contact-too-old'
  | 'excluded'
  | 'already-chosen'

/** One step's account in the decision trace. */
export interface TraceStep {
  rule: string
  /**
   * The step in words: "owner", "team vip-desk (longest-idle)", "skills en>=5, tv>=3 (best-skill)",
   * "skills product:crm>=7 in team sales (best-skill)".
   */
  step: string
  /** Candidates examined (the index offers eligible agents first, so this is rarely the whole team). */
  considered: number
  /** Candidates passed over, in the order examined; at most 20 unless the full trace was asked for. */
  skipped: { agentId: string; reason: SkipReason }[]
  /** How many more were passed over than `skipped` lists. */
  moreSkipped?: number
  chosen: string[]
  /** Why the step found nobody without examining anyone ("caller has no owner", "no agent has skill tv"). */
  note?: string
}

/**
 * The outcome of routing one interaction.
 *
 * `priority` is the matched rule's (0 for the fallback). Adapters use it where interactions wait
 * for agents: a queue serves higher priority first (FIFO within a priority), and when several
 * waiting interactions compete for an agent who just became free, the highest priority is routed
 * first. `trace.rulesTried[].error` holds conditions that threw; the core does not log, the caller does.
 * Treat a decision as read-only: parts of its trace are shared between decisions.
 */
export interface RouteDecision {
  interactionId: string
  /** Name of the rule that matched, or null when none did (fallback applied). */
  rule: string | null
  priority: number
  /** Agents to offer, in order. Empty when `final` applies at once. */
  targets: RouteTarget[]
  /** What to do once targets are exhausted (or at once when there are none). */
  final: FinalAction
  /** Rules whose condition was evaluated and did not match, and why a rule errored. */
  trace: { rulesTried: { rule: string; source: string; matched: boolean; error?: string }[]; steps: TraceStep[] }
  /** Plain-words reason for the first target, for screen-pops ("your customer", "VIP desk"); when there is none, what happens instead. */
  reason: string
  /**
   * Set by CallRouter when the interaction was parked: it waits in the core (no target, `final` is
   * the queue) until serveWaiting() or dueWaits() hands it an agent or its overflow.
   */
  queued?: QueuedPosition
}

/** Clock and random, injected so decisions are deterministic in tests. */
export interface RoutingEnv {
  now(): number
  random(): number
}

/**
 * The chat section of a set: its settings and the rules written beside it, which route chats and
 * only chats. Calls never try them (a call's trace does not list them); chats try only them, then
 * the set's fallback.
 */
export interface ChatSection extends ChatSettings {
  rules: readonly CompiledRule[]
}
