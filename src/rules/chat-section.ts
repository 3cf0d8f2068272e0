/**
 * The `chat` section (routing-rules/chat.yaml): the sites that embed the widget and their origins,
 * products by URL, when to offer a chat, the catalogue of cards, quick replies and limits. Every
 * mistake is reported with its place, like the rest of the set.
 */
import { isMap } from 'yaml'
import type { Node, Scalar } from 'yaml'
import { DEFAULT_CHAT_LIMITS, type ChatCatalogueCard, type ChatLimits, type ChatSettings, type ChatSite } from '../routing/chat-settings.js'
import { compileOfferCondition } from './offer-condition.js'
import { offsetInScalar } from './rule-section.js'
import type { YamlFile } from './yaml-reader.js'

const CHAT_FIELDS = ['sites', 'products by url', 'offer when', 'catalogue', 'quick replies', 'limits'] as const
const SITE_FIELDS = ['origins', 'language'] as const
const CARD_FIELDS = ['id', 'product', 'title', 'summary', 'url'] as const
const LIMIT_FIELDS = ['message bytes', 'messages per minute per visitor', 'per ip'] as const
const LANGUAGES = ['ru', 'en'] as const

/** The section's settings; the compiler adds the rules of the same file (ChatSection). */
export function readChat(file: YamlFile, node: Node, source: string): ChatSettings | undefined {
  const fields = file.fields(node, 'chat', CHAT_FIELDS)
  if (!fields) return undefined
  let ok = true
  const fail = (): undefined => void (ok = false)
  const sites = new Map<string, ChatSite>()
  const sitesField = fields.get('sites')
  if (!sitesField) {
    file.error(node, 'chat needs sites: the data-site ids of the widget, each with its origins')
    fail()
  } else {
    for (const [id, f] of entries(file, sitesField.value)) {
      const site = readSite(file, id, f)
      if (site) sites.set(id, site)
      else fail()
    }
  }
  const productsByUrl: { prefix: string; product: string }[] = []
  const productsField = fields.get('products by url')
  if (productsField) {
    for (const [prefix, value] of entries(file, productsField.value)) {
      const product = file.text(value, `product of ${prefix}`)
      if (!prefix.startsWith('/')) file.error(value, `products by url: '${prefix}' must be a URL path starting with /`)
      if (product === undefined || !prefix.startsWith('/')) fail()
      else productsByUrl.push({ prefix, product })
    }
    productsByUrl.sort((a, b) => b.prefix.length - a.prefix.length)
  }
  let offerWhen: ChatSettings['offerWhen']
  const offerField = fields.get('offer when')
  if (offerField) {
    const expression = file.text(offerField.value, 'offer when')
    if (expression === undefined) fail()
    else {
      const compiled = compileOfferCondition(expression)
      if (compiled.ok) offerWhen = compiled.test
      else {
        file.errorAt(offsetInScalar(file, offerField.value as Scalar, expression, compiled.offset), compiled.message)
        fail()
      }
    }
  }
  const catalogue: ChatCatalogueCard[] = []
  const catalogueField = fields.get('catalogue')
  for (const item of catalogueField ? (file.list(catalogueField.value, 'catalogue') ?? []) : []) {
    const card = readCard(file, item)
    if (!card) fail()
    else if (catalogue.some((c) => c.id === card.id)) {
      file.error(item, `catalogue: card id '${card.id}' is used twice`)
      fail()
    } else catalogue.push(card)
  }
  const quickReplies: Record<'ru' | 'en', string[]> = { ru: [], en: [] }
  const repliesField = fields.get('quick replies')
  if (repliesField) {
    const langs = file.fields(repliesField.value, 'quick replies', LANGUAGES)
    for (const [lang, f] of langs ?? []) {
      for (const item of file.list(f.value, `quick replies ${lang}`) ?? []) {
        const text = file.text(item, `a quick reply (${lang})`)
        if (text === undefined) fail()
        else quickReplies[lang as 'ru' | 'en'].push(text)
      }
    }
    if (!langs) fail()
  }
  const limits = readLimits(file, fields.get('limits')?.value) ?? fail()
  if (!ok || !limits) return undefined
  return { source, sites, productsByUrl, offerWhen, catalogue, quickReplies, limits }
}

/** The `name: value` pairs of a map whose keys are free names (site ids, URL paths). */
function entries(file: YamlFile, node: Node): [string, Node][] {
  if (!isMap(node)) {
    file.error(node, 'expected a set of "name: value" lines')
    return []
  }
  return node.items.map((pair) => [String((pair.key as Scalar).value), (pair.value as Node | null) ?? (pair.key as Node)])
}

function readSite(file: YamlFile, id: string, node: Node): ChatSite | undefined {
  const fields = file.fields(node, `site ${id}`, SITE_FIELDS)
  if (!fields) return undefined
  const originsField = fields.get('origins')
  if (!originsField) return void file.error(node, `site ${id} needs origins, e.g. ["https://www.example.com"]`)
  const origins: string[] = []
  let ok = true
  const items = file.list(originsField.value, `origins of ${id}`)
  for (const item of items ?? []) {
    const text = file.text(item, 'an origin')
    if (text === undefined) ok = false
    else if (!isOrigin(text)) {
      file.error(item, `'${text}' is not an origin: write scheme://host[:port], with no path (e.g. https://www.example.com)`)
      ok = false
    } else origins.push(text)
  }
  // An empty list has no item to fail on: said here, or the set is refused with no reason given.
  if (items?.length === 0) file.error(originsField.value, `site ${id} needs at least one origin, e.g. ["https://www.example.com"]`)
  const languageField = fields.get('language')
  let language: 'ru' | 'en' = 'en'
  if (languageField) {
    const text = file.text(languageField.value, 'language')
    if (text !== 'ru' && text !== 'en') {
      if (text !== undefined) file.error(languageField.value, `language must be ru or en, got '${text}'`)
      ok = false
    } else language = text
  }
  return ok && origins.length > 0 ? { id, origins, language } : undefined
}

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text)
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === text
  } catch {
    return false
  }
}

function readCard(file: YamlFile, node: Node): ChatCatalogueCard | undefined {
  const fields = file.fields(node, 'a catalogue card', CARD_FIELDS)
  if (!fields) return undefined
  const text = (name: (typeof CARD_FIELDS)[number]): string | undefined => {
    const f = fields.get(name)
    if (!f) return void file.error(node, `a catalogue card needs ${name}`)
    return file.text(f.value, `card ${name}`)
  }
  const [id, title, summary, url] = [text('id'), text('title'), text('summary'), text('url')]
  const productField = fields.get('product')
  const product = productField ? file.text(productField.value, 'card product') : null
  if (url !== undefined && !/^https?:\/\//.test(url)) return void file.error(fields.get('url')!.value, `card url must start with http:// or https://, got '${url}'`)
  if (id === undefined || title === undefined || summary === undefined || url === undefined || product === undefined) return undefined
  return { id, product, title, summary, url }
}

function readLimits(file: YamlFile, node: Node | undefined): ChatLimits | undefined {
  if (!node) return { ...DEFAULT_CHAT_LIMITS }
  const fields = file.fields(node, 'limits', LIMIT_FIELDS)
  if (!fields) return undefined
  const num = (name: (typeof LIMIT_FIELDS)[number], min: number, max: number, fallback: number): number | undefined => {
    const f = fields.get(name)
    return f ? file.wholeNumber(f.value, name, min, max) : fallback
  }
  const messageBytes = num('message bytes', 1, 100_000, DEFAULT_CHAT_LIMITS.messageBytes)
  const perVisitorPerMinute = num('messages per minute per visitor', 1, 10_000, DEFAULT_CHAT_LIMITS.perVisitorPerMinute)
  const perIpPerMinute = num('per ip', 1, 100_000, DEFAULT_CHAT_LIMITS.perIpPerMinute)
  if (messageBytes === undefined || perVisitorPerMinute === undefined || perIpPerMinute === undefined) return undefined
  return { messageBytes, perVisitorPerMinute, perIpPerMinute }
}
