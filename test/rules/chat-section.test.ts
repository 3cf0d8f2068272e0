import t from 'tap'
import { DEFAULT_CHAT_LIMITS, productOfUrl, type ChatSettings, type OfferContext } from '../../src/routing/chat-settings.js'
import { rulesForKind } from '../../src/routing/rules-for-kind.js'
import { compileRuleSet } from '../../src/rules/compile.js'
import { formatRuleError } from '../../src/rules/errors.js'
import { compileOfferCondition, rewriteContains } from '../../src/rules/offer-condition.js'
import { calendarYaml, catalog } from './fixtures/rule-files.js'

const chatYaml = `chat:
  sites:
    demo: { origins: ["http://127.0.0.1:3000", "https://www.example.com"], language: ru }
    shop:
      origins: ["https://shop.example.com:8443"]
  products by url: { "/pricing": product:crm, "/pricing/telephony": product:telephony, "/telephony": product:telephony }
  offer when: visit.pages >= 3 || visit.url contains "/pricing" || visitor.known
  catalogue:
    - id: crm-card
      product: product:crm
      title: Spring CRM
      summary: CRM for sales teams, from 1 200 ₽ a month
      url: https://www.example.com/crm
    - id: price-list
      title: Price list
      summary: Every plan and what it costs
      url: http://www.example.com/prices
  quick replies: { en: ["Hello! How can I help?"], ru: ["Здравствуйте! Чем могу помочь?"] }
`

function compile(files: Record<string, string>) {
  return compileRuleSet(Object.entries({ 'calendar.yaml': calendarYaml, ...files }).map(([file, text]) => ({ file, text })), catalog)
}

function settingsOf(text: string): ChatSettings {
  const result = compile({ 'chat.yaml': text })
  if (!result.ok) throw new Error(result.errors.map((e) => formatRuleError(e)).join('\n'))
  if (!result.ruleSet.chat) throw new Error('the set has no chat settings')
  return result.ruleSet.chat
}

/** The mistakes of a set that must not compile, as `file:line:col: message`. */
function errorsOf(files: Record<string, string>): string[] {
  const result = compile(files)
  if (result.ok) throw new Error('compiled, but mistakes were expected')
  return result.errors.map((e) => formatRuleError(e))
}

const chatErrors = (text: string) => errorsOf({ 'chat.yaml': text })

const view = (over: Partial<OfferContext['visit']> = {}, visitor: Partial<OfferContext['visitor']> = {}): OfferContext => ({
  visit: { pages: 1, url: 'https://www.example.com/', product: null, ...over },
  visitor: { known: false, returning: false, ...visitor }
})

t.test('a valid chat section compiles into the sites with their origins and language', async (t) => {
  const chat = settingsOf(chatYaml)
  t.equal(chat.source, 'chat.yaml:1')
  t.same([...chat.sites.values()], [
    { id: 'demo', origins: ['http://127.0.0.1:3000', 'https://www.example.com'], language: 'ru' },
    { id: 'shop', origins: ['https://shop.example.com:8443'], language: 'en' }
  ])
})

t.test('products by url are kept longest prefix first', async (t) => {
  t.same(settingsOf(chatYaml).productsByUrl.map((p) => p.prefix), ['/pricing/telephony', '/telephony', '/pricing'])
})

t.test('the catalogue keeps its cards in order, a card without product having none', async (t) => {
  t.same(settingsOf(chatYaml).catalogue, [
    { id: 'crm-card', product: 'product:crm', title: 'Spring CRM', summary: 'CRM for sales teams, from 1 200 ₽ a month', url: 'https://www.example.com/crm' },
    { id: 'price-list', product: null, title: 'Price list', summary: 'Every plan and what it costs', url: 'http://www.example.com/prices' }
  ])
})

t.test('quick replies are kept per language', async (t) => {
  t.same(settingsOf(chatYaml).quickReplies, { en: ['Hello! How can I help?'], ru: ['Здравствуйте! Чем могу помочь?'] })
})

t.test('limits left out take the defaults', async (t) => {
  t.same(settingsOf(chatYaml).limits, { messageBytes: 2000, perVisitorPerMinute: 30, perIpPerMinute: 120 })
  t.same(DEFAULT_CHAT_LIMITS, { messageBytes: 2000, perVisitorPerMinute: 30, perIpPerMinute: 120 })
})

t.test('limits written are taken, the others keep their defaults', async (t) => {
  const chat = settingsOf(`${chatYaml}  limits: { message bytes: 500, per ip: 60 }\n`)
  t.same(chat.limits, { messageBytes: 500, perVisitorPerMinute: 30, perIpPerMinute: 60 })
})

t.test('offer when compiles into a test of the page view', async (t) => {
  const offer = settingsOf(chatYaml).offerWhen!
  t.equal(offer(view()), false, 'a first page of a stranger')
  t.equal(offer(view({ pages: 3 })), true, 'the third page')
  t.equal(offer(view({ url: 'https://www.example.com/pricing/telephony' })), true, 'a pricing page')
  t.equal(offer(view({}, { known: true })), true, 'a known visitor')
})

t.test('a chat section without offer when never offers on its own', async (t) => {
  t.equal(settingsOf(chatYaml.replace(/ {2}offer when: .*\n/, '')).offerWhen, undefined)
})

t.test('a set without a chat section has no chat settings', async (t) => {
  const result = compile({})
  t.ok(result.ok)
  t.equal(result.ok && result.ruleSet.chat, undefined)
})

t.test('an origin with a path is reported at the origin', async (t) => {
  t.same(chatErrors(chatYaml.replace('"https://shop.example.com:8443"', '"https://shop.example.com/chat"')), [
    "chat.yaml:5:17: 'https://shop.example.com/chat' is not an origin: write scheme://host[:port], with no path (e.g. https://www.example.com)"
  ])
})

t.test('an origin that is not http or https is reported', async (t) => {
  t.match(chatErrors(chatYaml.replace('"https://shop.example.com:8443"', '"ftp://shop.example.com"')), [/^chat\.yaml:5:17: 'ftp:\/\/shop\.example\.com' is not an origin/])
})

t.test('a site whose origins list is empty is reported at the list', async (t) => {
  t.same(chatErrors(chatYaml.replace('origins: ["https://shop.example.com:8443"]', 'origins: []')), ['chat.yaml:5:16: site shop needs at least one origin, e.g. ["https://www.example.com"]'])
})

t.test('a site without origins is reported at the site', async (t) => {
  t.same(chatErrors(chatYaml.replace('      origins: ["https://shop.example.com:8443"]\n', '      language: en\n')), ['chat.yaml:5:7: site shop needs origins, e.g. ["https://www.example.com"]'])
})

t.test('an unknown language is reported at the language', async (t) => {
  t.same(chatErrors(chatYaml.replace('language: ru', 'language: de')), ["chat.yaml:3:86: language must be ru or en, got 'de'"])
})

t.test('a card id used twice is reported at the second card', async (t) => {
  t.same(chatErrors(chatYaml.replace('id: price-list', 'id: crm-card')), ["chat.yaml:14:7: catalogue: card id 'crm-card' is used twice"])
})

t.test('a card url that is not http or https is reported at the url', async (t) => {
  t.same(chatErrors(chatYaml.replace('url: https://www.example.com/crm', 'url: www.example.com/crm')), ["chat.yaml:13:12: card url must start with http:// or https://, got 'www.example.com/crm'"])
})

t.test('a card without a title is reported at the card', async (t) => {
  t.same(chatErrors(chatYaml.replace('      title: Price list\n', '')), ['chat.yaml:14:7: a catalogue card needs title'])
})

t.test('a chat section without sites is reported at the section', async (t) => {
  t.same(chatErrors('chat:\n  offer when: visitor.known\n'), ['chat.yaml:2:3: chat needs sites: the data-site ids of the widget, each with its origins'])
})

t.test('a products-by-url key that is not a path is reported', async (t) => {
  t.match(chatErrors(chatYaml.replace('"/telephony": product', '"telephony": product')), [/^chat\.yaml:6:\d+: products by url: 'telephony' must be a URL path starting with \/$/])
})

t.test('a misspelt field in offer when is reported at the field, with a suggestion', async (t) => {
  t.match(chatErrors(chatYaml.replace('visit.pages >= 3', 'visit.page >= 3')), [/^chat\.yaml:7:21: unknown field 'page' in offer when .*did you mean 'pages'\?$/])
})

t.test('an offer when that is not true or false is reported', async (t) => {
  t.same(chatErrors(chatYaml.replace(/offer when: .*/, 'offer when: visit.pages')), ['chat.yaml:7:15: offer when must be true or false, but it gives int'])
})

t.test('a limit out of range is reported at the limit', async (t) => {
  t.same(chatErrors(`${chatYaml}  limits: { message bytes: 0 }\n`), ['chat.yaml:19:28: message bytes must be between 1 and 100000, got 0'])
})

t.test('a second chat section is reported at it, naming the first', async (t) => {
  t.same(errorsOf({ 'chat.yaml': chatYaml, 'more-chat.yaml': chatYaml }), ['more-chat.yaml:1:1: chat is already defined at chat.yaml:1; a set has one chat section'])
})

t.test("a page's product is the longest matching prefix of its URL path", async (t) => {
  const chat = settingsOf(chatYaml)
  t.equal(productOfUrl(chat, 'https://www.example.com/pricing'), 'product:crm')
  t.equal(productOfUrl(chat, 'https://www.example.com/pricing/telephony/plans?from=ad'), 'product:telephony')
  t.equal(productOfUrl(chat, 'https://www.example.com/about'), null)
})

t.test("a page's product is found from a bare path too", async (t) => {
  t.equal(productOfUrl(settingsOf(chatYaml), '/telephony/plans'), 'product:telephony')
})

t.test('the query string and host of a URL never choose its product', async (t) => {
  const chat = settingsOf(chatYaml)
  t.equal(productOfUrl(chat, 'https://www.example.com/about?next=/pricing'), null)
  t.equal(productOfUrl(chat, 'https://pricing.example.com/'), null)
})

t.test('"a contains b" reads as a.contains(b)', async (t) => {
  t.equal(rewriteContains('visit.url contains "/pricing"'), 'visit.url.contains("/pricing")')
  t.equal(rewriteContains("visit.product contains 'crm' && visitor.known"), "visit.product.contains('crm') && visitor.known")
})

t.test('the contains short form tests the text', async (t) => {
  const compiled = compileOfferCondition('visit.url contains "/pricing"')
  if (!compiled.ok) throw new Error(compiled.message)
  t.equal(compiled.test(view({ url: 'https://www.example.com/pricing' })), true)
  t.equal(compiled.test(view({ url: 'https://www.example.com/about' })), false)
})

t.test('the contains short form leaves a quoted text alone', async (t) => {
  const compiled = compileOfferCondition(`visit.url == "see contains 'x'"`)
  if (!compiled.ok) throw new Error(compiled.message)
  t.equal(compiled.test(view({ url: "see contains 'x'" })), true)
})

t.test('a visit with no product reads as an empty product', async (t) => {
  const compiled = compileOfferCondition('visit.product == ""')
  if (!compiled.ok) throw new Error(compiled.message)
  t.equal(compiled.test(view()), true)
  t.equal(compiled.test(view({ product: 'product:crm' })), false)
})

t.test("the rules written beside the chat section are the chat's: calls never try them, chats try only them", async (t) => {
  const result = compile({
    'chat.yaml': `${chatYaml}rules:\n  - name: first chats\n    route:\n      - team: sales\n    otherwise: voicemail\n`,
    'rules.yaml': 'rules:\n  - name: everyone\n    route:\n      - team: support\n    otherwise: voicemail\n'
  })
  if (!result.ok) throw new Error(result.errors.map((e) => formatRuleError(e)).join('\n'))
  t.same(result.ruleSet.rules.map((r) => r.name), ['everyone'])
  t.same(result.ruleSet.chat?.rules.map((r) => r.name), ['first chats'])
  t.same(rulesForKind(result.ruleSet, 'chat').rules.map((r) => r.name), ['first chats'])
  t.equal(rulesForKind(result.ruleSet, 'call'), result.ruleSet)
})
