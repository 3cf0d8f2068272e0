/**
 * What happens when nobody is rung or nobody answers — `then:`, `otherwise:`
 * and `fallback:` all take one of:
 *
 *   otherwise: voicemail                 # voicemail, with a call-back task
 *   otherwise: { voicemail: sales, call-back: no }
 *   otherwise: { queue: general }
 *   otherwise: { reject: 603, cause: blocked number }
 */
import { isScalar } from 'yaml'
import type { Node } from 'yaml'
import type { FinalAction } from '../routing/types.js'
import type { YamlFile } from './yaml-reader.js'

type RejectStatus = Extract<FinalAction, { kind: 'reject' }>['sipStatus']

const REJECT_STATUSES: readonly RejectStatus[] = [403, 480, 486, 603]
const DEFAULT_CAUSE: Record<RejectStatus, string> = { 403: 'forbidden', 480: 'unavailable', 486: 'busy', 603: 'declined' }
const ACTION_FIELDS = ['queue', 'voicemail', 'reject', 'call-back', 'cause'] as const
const FORMS = "write 'voicemail', or 'queue: <name>', 'voicemail: <mailbox>' or 'reject: <403|480|486|603>'"

/** The final action of the set when no rule matches and none is written. */
export const DEFAULT_FALLBACK: FinalAction = { kind: 'voicemail', mailbox: null, callbackTask: true }

export function readFinalAction(file: YamlFile, node: Node, what: string): FinalAction | undefined {
  if (isScalar(node) && typeof node.value === 'string') {
    const word = node.value.trim().toLowerCase()
    if (word === 'voicemail') return { kind: 'voicemail', mailbox: null, callbackTask: true }
    if (word === 'queue' || word === 'reject') return void file.error(node, `${what}: '${word}' needs a value; ${FORMS}`)
    return void file.error(node, `${what}: unknown action '${node.value}'; ${FORMS}`)
  }
  const fields = file.fields(node, what, ACTION_FIELDS)
  if (!fields) return undefined
  const kinds = (['queue', 'voicemail', 'reject'] as const).filter((k) => fields.has(k))
  if (kinds.length !== 1) {
    file.error(kinds.length > 1 ? fields.get(kinds[1]!)!.key : node,
      kinds.length > 1 ? `${what} can do only one of queue, voicemail, reject` : `${what}: ${FORMS}`)
    return undefined
  }
  const kind = kinds[0]!
  const misplaced = [...fields.values()].find((f) =>
    (f.name === 'call-back' && kind !== 'voicemail') || (f.name === 'cause' && kind !== 'reject'))
  if (misplaced) {
    return void file.error(misplaced.key, `'${misplaced.name}' does not apply to ${kind}`)
  }
  const main = fields.get(kind)!
  if (kind === 'queue') {
    const queue = file.text(main.value, 'queue name')
    return queue === undefined ? undefined : { kind: 'queue', queue }
  }
  if (kind === 'voicemail') {
    const mailbox = file.isEmpty(main.value) ? null : file.text(main.value, 'mailbox')
    const callback = fields.get('call-back')
    const callbackTask = callback ? file.flag(callback.value, 'call-back') : true
    if (mailbox === undefined || callbackTask === undefined) return undefined
    return { kind: 'voicemail', mailbox, callbackTask }
  }
  const status = isScalar(main.value) ? main.value.value : undefined
  if (!REJECT_STATUSES.includes(status as RejectStatus)) {
    return void file.error(main.value, `reject needs a SIP status: 403 (forbidden), 480 (unavailable), 486 (busy) or 603 (declined), got ${file.describe(main.value)}`)
  }
  const sipStatus = status as RejectStatus
  const causeField = fields.get('cause')
  const cause = causeField ? file.text(causeField.value, 'cause') : DEFAULT_CAUSE[sipStatus]
  return cause === undefined ? undefined : { kind: 'reject', cause, sipStatus }
}
