// Which language the page speaks, and its catalogues merged into one for it.
// No browser globals here, so the choice and the merge are tested in Node.

export const LANGUAGES = ['en', 'ru']
export const DEFAULT_LANGUAGE = 'en'

const known = (value) => (typeof value === 'string' && LANGUAGES.includes(value.toLowerCase()) ? value.toLowerCase() : null)

/** `?lang=` first, then the agent's own setting, then the browser's languages (ru* → ru), else English. */
export function chooseLanguage(query, setting, browserLanguages) {
  const chosen = known(query) ?? known(setting)
  if (chosen) return chosen
  for (const tag of browserLanguages || []) {
    const base = String(tag).toLowerCase().split('-')[0]
    if (LANGUAGES.includes(base)) return base
  }
  return DEFAULT_LANGUAGE
}

/** One catalogue for `lang` out of the features' files ({ en: {...}, ru: {...} } each). */
export function mergeCatalogues(files, lang) {
  const merged = {}
  for (const file of files) {
    const words = file[lang]
    if (!words) throw new Error(`a catalogue of the agent page has no "${lang}" part`)
    for (const [key, value] of Object.entries(words)) {
      if (key in merged) throw new Error(`the label "${key}" is in two catalogues of the agent page`)
      merged[key] = value
    }
  }
  return merged
}
