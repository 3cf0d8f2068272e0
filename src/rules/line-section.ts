/**
 * The `lines:` section — the company's advertised numbers:
 *
 *   lines:
 *     "+74951234567":
 *       name: Spring CRM campaign
 *       source: yandex-direct
 *       campaign: spring-crm
 *       product: product:crm
 *       cost per lead: 1200
 */
import { isMap, isScalar } from 'yaml'
import type { Node } from 'yaml'
import type { LineInfo } from '../routing/types.js'
import { withSuggestion } from './errors.js'
import type { RulesCatalog } from './types.js'
import type { YamlFile } from './yaml-reader.js'

const E164 = /^\+[1-9]\d{6,14}$/
const LINE_FIELDS = ['name', 'source', 'campaign', 'product', 'cost per lead'] as const

/** A line and where its number was written, for duplicate reports across files. */
export interface ReadLine {
  info: LineInfo
  node: Node
}

export function readLines(file: YamlFile, node: Node, catalog: RulesCatalog): ReadLine[] {
  if (file.isEmpty(node)) return []
  if (!isMap(node)) {
    file.error(node, 'lines must list dialed numbers, each with its source, campaign, product and cost per lead')
    return []
  }
  const out: ReadLine[] = []
  for (const pair of node.items) {
    const keyNode = pair.key as Node
    const number = isScalar(keyNode) ? file.sourceOf(keyNode).replace(/^['"]|['"]$/g, '').replace(/[\s()-]/g, '') : ''
    if (!E164.test(number)) {
      file.error(keyNode, `line number ${file.describe(keyNode)} is not in E.164 form; write it like "+74951234567"`)
      continue
    }
    const info = readLine(file, number, (pair.value as Node | null) ?? null, catalog)
    if (info) out.push({ info, node: keyNode })
  }
  return out
}

/** The attributes of one line; also used for lines given inline in test cases. */
export function readLine(file: YamlFile, number: string, node: Node | null, catalog: RulesCatalog | null): LineInfo | undefined {
  const info: LineInfo = { number, name: null, source: null, campaign: null, product: null, costPerLead: null }
  if (node === null || file.isEmpty(node)) return info
  const fields = file.fields(node, `line ${number}`, LINE_FIELDS)
  if (!fields) return undefined
  let ok = true
  const optionalText = (name: 'name' | 'source' | 'campaign' | 'product'): string | null => {
    const f = fields.get(name)
    if (!f || file.isEmpty(f.value) || (isScalar(f.value) && f.value.value === null)) return null
    const text = file.text(f.value, name)
    if (text === undefined) ok = false
    return text ?? null
  }
  info.name = optionalText('name')
  info.source = optionalText('source')
  info.campaign = optionalText('campaign')
  info.product = optionalText('product')
  if (info.product !== null && catalog && !catalog.skills.has(info.product)) {
    file.error(fields.get('product')!.value, withSuggestion(`unknown skill '${info.product}' as the line's product`, info.product, catalog.skills))
    ok = false
  }
  const cost = fields.get('cost per lead')
  if (cost && !file.isEmpty(cost.value)) {
    const n = file.number(cost.value, 'cost per lead', 0)
    if (n === undefined) ok = false
    info.costPerLead = n ?? null
  }
  return ok ? info : undefined
}
