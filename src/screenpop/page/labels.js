// The page's words in the language it speaks. Each feature keeps its words in
// its own catalogue under i18n/ (English and Russian side by side); this module
// picks the language once, at load, and merges the catalogues for it, so every
// module reads `labels.<feature>.<key>`.
// To add a feature's words: one import line and one entry in CATALOGUES.

import actions from './i18n/actions.js'
import card from './i18n/card.js'
import chat from './i18n/chat.js'
import desk from './i18n/desk.js'
import notices from './i18n/notices.js'
import { chooseLanguage, mergeCatalogues } from './language.js'

export const CATALOGUES = [desk, card, actions, notices, chat]

/** Where the agent's own language setting is kept between reloads of this tab (it comes with GET /v1/me). */
export const LANGUAGE_KEY = 'cti.agent.language'

const asked = new URLSearchParams(location.search).get('lang')

/** 'ru' or 'en': `?lang=`, then the agent's setting, then the browser's languages. */
export const lang = chooseLanguage(asked, sessionStorage.getItem(LANGUAGE_KEY), navigator.languages)

/**
 * Keeps the agent's own language setting (GET /v1/me → language, null for the
 * browser's) for this tab; true when the page speaks another language than the
 * setting asks for, and must load again to speak it (the words are picked at load).
 */
export function keepLanguage(setting) {
  if (setting) sessionStorage.setItem(LANGUAGE_KEY, setting)
  else sessionStorage.removeItem(LANGUAGE_KEY)
  return chooseLanguage(asked, setting, navigator.languages) !== lang
}

export const labels = mergeCatalogues(CATALOGUES, lang)
