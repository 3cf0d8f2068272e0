/**
 * One AMI message (a response or an event) as asterisk-manager hands it over:
 * keys lower-cased, a repeated key turned into an array, `Variable:` lines into
 * an object. Values are read through `field()` so that those shapes never leak.
 */
export type AmiMessage = Record<string, string | string[] | Record<string, string> | undefined>

/** The first text value of a field, or undefined when absent or empty. */
export function field(message: AmiMessage, key: string): string | undefined {
  const value = message[key]
  if (typeof value === 'string') return value === '' ? undefined : value
  // A UserEvent body that repeats a header (Uniqueid) makes the library return both values.
  if (Array.isArray(value)) return value.find((v) => v !== '')
  return undefined
}

/** The event's name, or undefined when the message is not an event. */
export function eventName(message: AmiMessage): string | undefined {
  return field(message, 'event')
}

/** Caller ID fields as Asterisk writes "no value". */
export function callerIdValue(value: string | undefined): string | null {
  if (value === undefined || value === '' || value === '<unknown>' || value === '<Unknown>') return null
  return value
}

/** Fields to write into a log line about an odd event, without its whole body. */
export function describe(message: AmiMessage): Record<string, string | undefined> {
  return {
    event: field(message, 'event'),
    channel: field(message, 'channel') ?? field(message, 'destchannel'),
    uniqueid: field(message, 'uniqueid'),
    linkedid: field(message, 'linkedid')
  }
}
