import type { BusinessCalendar, CustomerSummary, Interaction, LineInfo, RuleContext } from './types.js'

/**
 * The values rule conditions read, built once per decision. Absent data reads as null, 0 or false
 * rather than being left out, so a condition on an unknown caller evaluates instead of throwing.
 * Time facts are those of the moment the interaction arrived, in the calendar's time zone.
 */
export function buildRuleContext(
  interaction: Interaction,
  customer: CustomerSummary | null,
  line: LineInfo | null,
  calendar: BusinessCalendar
): RuleContext {
  return {
    caller: { number: interaction.caller, known: customer !== null, anonymous: interaction.caller === null },
    customer: {
      id: customer?.id ?? null,
      tier: customer?.tier ?? null,
      segment: customer?.segment ?? null,
      language: customer?.language ?? null,
      overdueAmount: customer?.overdueAmount ?? 0,
      overdueDays: customer?.overdueDays ?? 0,
      blocked: customer?.blocked ?? false,
      hasOwner: customer?.ownerAgentId != null,
      openDealStage: customer?.openDealStage ?? null
    },
    line: {
      number: line?.number ?? interaction.dialed,
      source: line?.source ?? null,
      campaign: line?.campaign ?? null,
      product: productOf(interaction, line)
    },
    interaction: { kind: interaction.kind, channel: interaction.channel },
    time: calendar.at(interaction.at)
  }
}

/** What the interaction is about: the dialed line's product, else the product the visitor viewed. */
export function productOf(interaction: Interaction, line: LineInfo | null): string | null {
  return line?.product ?? interaction.product ?? null
}
