/**
 * The demo CRM's fixed directory: four teams, the skills the shipped rules ask
 * for, eight agents, and the three advertised lines of routing-rules/lines.yaml.
 * The same on every load; only the customers' history depends on the moment.
 */

/** The callers of the README tour; each one shows a different routing rule. */
export const DEMO_CALLERS = {
  /** Ivan Petrov: VIP, owner a-anna, an open deal at "agreement", a few calls. */
  ivanPetrov: '+79161234567',
  /** Olga Smirnova: standard tier, owner a-boris, a payment 45 days overdue. */
  olgaSmirnova: '+79031112233',
  /** Spam Caller: blocked. */
  spamCaller: '+79990000000'
} as const

/** The dialed numbers of the demo (the same as routing-rules/lines.yaml). */
export const DEMO_LINES = { springCrm: '+74951234567', telephonyLaunch: '+74951234568', website: '+78005553535' } as const

export interface DemoAgent {
  id: string
  name: string
  team: string
  skills: Record<string, number>
}

export const DEMO_TEAMS = [
  { id: 'sales', name: 'Sales', lead_agent_id: 'a-boris' },
  { id: 'vip-desk', name: 'VIP desk', lead_agent_id: 'a-anna' },
  { id: 'collections', name: 'Collections', lead_agent_id: 'a-elena' },
  { id: 'support', name: 'Support', lead_agent_id: 'a-fedor' }
]

export const DEMO_SKILLS = [
  { id: 'product:crm', description: 'CRM: licences, set-up, data migration' },
  { id: 'product:telephony', description: 'Cloud telephony: lines, numbers, call recording' },
  { id: 'product:analytics', description: 'Sales analytics and dashboards' },
  { id: 'lang:en', description: 'Speaks English with customers' },
  { id: 'lang:ru', description: 'Speaks Russian with customers' },
  { id: 'billing', description: 'Invoices, payments and debt collection' }
]

/** In extension order: the first one is 1001. */
export const DEMO_AGENTS: DemoAgent[] = [
  { id: 'a-anna', name: 'Anna Volkova', team: 'vip-desk', skills: { 'product:crm': 9, 'product:analytics': 6, 'lang:ru': 10, 'lang:en': 7 } },
  { id: 'a-boris', name: 'Boris Kuznetsov', team: 'sales', skills: { 'product:crm': 8, 'product:telephony': 5, 'lang:ru': 10, 'lang:en': 4 } },
  { id: 'a-clara', name: 'Clara Jensen', team: 'vip-desk', skills: { 'product:telephony': 8, 'product:analytics': 7, 'lang:en': 10, 'lang:ru': 6 } },
  { id: 'a-dmitri', name: 'Dmitri Sokolov', team: 'sales', skills: { 'product:telephony': 9, 'product:crm': 5, 'lang:ru': 10, 'lang:en': 5 } },
  { id: 'a-elena', name: 'Elena Morozova', team: 'collections', skills: { billing: 9, 'lang:ru': 10, 'lang:en': 6 } },
  { id: 'a-fedor', name: 'Fedor Lebedev', team: 'support', skills: { 'product:telephony': 7, 'product:analytics': 8, 'lang:ru': 9 } },
  { id: 'a-galina', name: 'Galina Orlova', team: 'collections', skills: { billing: 7, 'product:crm': 4, 'lang:ru': 10 } },
  { id: 'a-igor', name: 'Igor Novikov', team: 'support', skills: { 'product:analytics': 9, 'product:crm': 6, 'lang:en': 8, 'lang:ru': 10 } }
]

export const DEMO_LINE_ROWS = [
  { number: DEMO_LINES.springCrm, name: 'Spring CRM campaign', source: 'yandex-direct', campaign: 'spring-crm', product: 'product:crm', cost_per_lead: 1200 },
  { number: DEMO_LINES.telephonyLaunch, name: 'Telephony launch', source: 'google-ads', campaign: 'telephony-launch', product: 'product:telephony', cost_per_lead: 900 },
  { number: DEMO_LINES.website, name: 'Website free number', source: 'website', campaign: 'organic', product: null, cost_per_lead: 0 }
]

/** What the demo customers buy: the need on their record, a deal's title, an order's product, the price per seat. */
export const DEMO_PRODUCTS = [
  { need: 'CRM for the sales team', deal: (n: number) => `CRM Professional, ${n} seats`, order: 'CRM Professional licence', unitPrice: 12_000 },
  { need: 'cloud telephony with call recording', deal: (n: number) => `Cloud telephony, ${n} lines`, order: 'Cloud telephony lines', unitPrice: 4_500 },
  { need: 'sales analytics dashboards', deal: (n: number) => `Analytics add-on, ${n} users`, order: 'Analytics add-on', unitPrice: 6_000 }
]
