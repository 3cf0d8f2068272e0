import type { InteractionKind, RuleSet } from './types.js'

const chatRuleSets = new WeakMap<RuleSet, RuleSet>()

/** The set an interaction of this kind is decided by: a chat by the chat's rules, everything else by the set's own. */
export function rulesForKind(set: RuleSet, kind: InteractionKind): RuleSet {
  if (kind !== 'chat') return set
  let chats = chatRuleSets.get(set)
  if (!chats) chatRuleSets.set(set, (chats = Object.freeze({ ...set, rules: set.chat?.rules ?? [] })))
  return chats
}
