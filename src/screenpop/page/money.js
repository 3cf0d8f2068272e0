// Amounts of money in the currency the server keeps them in (GET /v1/me →
// currency), written the way the page's language writes money.

import { formatAmount } from './format.js'
import { lang } from './labels.js'

let money = null

/** The browser's own variant of the page's language (en-GB, ru-RU), else the language itself. */
function locale() {
  return (navigator.languages || []).find((tag) => String(tag).toLowerCase().split('-')[0] === lang) || lang
}

/** Amounts are in `currency` (ISO 4217) from now on; an unknown code leaves them as plain numbers. */
export function useCurrency(currency) {
  try {
    money = currency ? new Intl.NumberFormat(locale(), { style: 'currency', currency, trailingZeroDisplay: 'stripIfInteger' }) : null
  } catch {
    money = null
  }
}

/** '1 440 000 ₽', '€1,440,000'; a plain number before the currency is known (format.js), '' for none. */
export const formatMoney = (value) => (typeof value !== 'number' ? '' : money ? money.format(value) : formatAmount(value))
