// The plural form of a count in a language, by Intl.PluralRules: Russian has
// three (1 день, 2 дня, 5 дней), English two.

const rules = new Map()

/** `forms` maps a plural category (one, few, many, other) to its word; `other` is the fallback. */
export function plural(lang, n, forms) {
  if (!rules.has(lang)) rules.set(lang, new Intl.PluralRules(lang))
  return forms[rules.get(lang).select(n)] ?? forms.other
}

export const ru = (n, one, few, many) => plural('ru', n, { one, few, many, other: few })
