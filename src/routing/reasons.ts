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
      if (step.strategy === 'best-skill') return step.team === undefined ? `best match for ${first}` : `best match for ${first} in team ${step.team}`
      const skills = requirements.map((r) => r.skill).join(', ')
      return step.team === undefined ? `skilled in ${skills}` : `team ${step.team}, skilled in ${skills}`
    }
  }
}

/** "you last spoke with them on 12 Nov", the date in the rules' time zone. */
export function lastContactReason(lastContactAt: number, timeZone: string): string {
  // Every time zone's offset is a multiple of 15 minutes, so the date is the same throughout a
  // quarter hour: format once per quarter hour, not per call.
  const quarter = Math.floor(lastContactAt / QUARTER_HOUR)
  let byQuarter = reasonsByZone.get(timeZone)
  if (byQuarter === undefined) reasonsByZone.set(timeZone, (byQuarter = new Map()))
  let reason = byQuarter.get(quarter)
  if (reason === undefined) {
    if (byQuarter.size >= MAX_REMEMBERED) byQuarter.clear()
    reason = `you last spoke with them on ${dayMonth(timeZone).format(quarter * QUARTER_HOUR)}`
    byQuarter.set(quarter, reason)
  }
  return reason
}

const QUARTER_HOUR = 900_000
const MAX_REMEMBERED = 10_000
const reasonsByZone = new Map<string, Map<number, string>>()

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
