// The words written in agent.html, put in the page's language at start-up: an
// element with data-label="signIn.heading" gets that label as its text, one with
// data-label-<attribute>="…" (aria-label, title, placeholder) that attribute.
// agent.html holds no words of its own, so a Russian page never shows English ones.

import { labels, lang } from './labels.js'

const PREFIX = 'data-label-'

/** The label at `path` ("signIn.heading"); a missing one names itself rather than leaving a blank. */
function word(path) {
  const value = path.split('.').reduce((at, key) => (at && typeof at === 'object' ? at[key] : undefined), labels)
  if (typeof value === 'string') return value
  console.error(`agent page: no label "${path}"`)
  return path
}

/** Fills every data-label and data-label-<attribute> under `root`, and sets <html lang>. */
export function applyPageWords(root = document) {
  document.documentElement.lang = lang
  for (const element of root.querySelectorAll('*')) {
    for (const { name, value } of Array.from(element.attributes)) {
      if (name === 'data-label') element.textContent = word(value)
      else if (name.startsWith(PREFIX)) element.setAttribute(name.slice(PREFIX.length), word(value))
    }
  }
}
