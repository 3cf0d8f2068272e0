/** One agent's stretch of talk on a call: from their answer to their transfer, or to the call's end. */
export interface TalkSegment {
  agentId: string
  from: number
  /** Null while the call is still in progress. */
  to: number | null
}

interface Step {
  at: number
  kind: string
  agentId: string | null
}

/**
 * Who talked on a call, from when to when, read off its steps: an 'answered' starts an agent's
 * segment; their 'transfer' (the call handed on) or the call's 'ended' closes it. A call answered
 * once has one segment, a call transferred and taken has one per agent.
 */
export function talkSegments(steps: readonly Step[]): TalkSegment[] {
  const segments: TalkSegment[] = []
  let open: TalkSegment | null = null
  for (const step of steps) {
    if (step.kind === 'answered' && step.agentId !== null) {
      if (open) open.to = step.at
      open = { agentId: step.agentId, from: step.at, to: null }
      segments.push(open)
    } else if (open && (step.kind === 'ended' || (step.kind === 'transfer' && step.agentId === open.agentId))) {
      open.to = step.at
      open = null
    }
  }
  return segments
}

/**
 * The agent who gets the call's "last agent" credit: the one of the last talking segment of at
 * least `minSeconds` (a colleague who took a transfer for a moment does not take it from the one
 * who worked the customer); null when no segment was that long.
 */
export function creditedAgent(segments: readonly TalkSegment[], minSeconds: number): string | null {
  for (let i = segments.length - 1; i >= 0; i--) {
    const s = segments[i]!
    if (s.to !== null && (s.to - s.from) / 1000 >= minSeconds) return s.agentId
  }
  return null
}
