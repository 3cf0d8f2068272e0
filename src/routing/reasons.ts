import type { FinalAction, RouteStep, SkillRequirement } from './types.js'

/**
 * Plain-words reasons shown to the agent on the screen-pop and to admins in "why did this call go
 * there". Short, lower case, no jargon.
 */
export function stepReason(step: RouteStep, ruleName: string, requirements: readonly SkillRequirement[]): string {
  switch (step.kind) {
    case 'owner':
      return 'your customer'
    case 'last-agent':
      return 'you spoke with them last'
    case 'agent':
      return `assigned to you by rule ${ruleName}`
    case 'team':
      return `team ${step.team}`
    case 'skills': {
      const first = requirements[0]?.skill ?? ''
      if (step.strategy === 'best-skill') return `best match for ${first}`
      return `skilled in ${requirements.map((r) => r.skill).join(', ')}`
    }
  }
}

/** "you last spoke with them on 12 Nov", the date in the rules' time zone. */
export function lastContactReason(lastContactAt: number, timeZone: string): string {
  return `you last spoke with them on ${dayMonth(timeZone).format(lastContactAt)}`
}

/** What happens instead of ringing anyone, and why. */
export function finalReason(final: FinalAction, why: string): string {
  switch (final.kind) {
    case 'queue':
      return `${why}: waiting in queue ${final.queue}`
    case 'voicemail':
      return `${why}: voicemail${final.mailbox === null ? '' : ` ${final.mailbox}`}${final.callbackTask ? ' and a call-back task' : ''}`
    case 'reject':
      return `${why}: rejected (${final.cause})`
  }
}

// Building an Intl formatter costs far more than a decision; keep one per time zone.
const formatters = new Map<string, Intl.DateTimeFormat>()

function dayMonth(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone })
    } catch {
      f = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' })
    }
    formatters.set(timeZone, f)
  }
  return f
}
