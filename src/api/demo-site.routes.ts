import type { FastifyInstance } from 'fastify'
import { Type } from 'typebox'
import { textAnswer } from './operations-schemas.js'

/** The demo site's products; chat.yaml maps their URLs to the rules' products. */
const PRODUCTS: Record<string, { title: string; text: string }> = {
  crm: { title: 'Spring CRM', text: 'Deals, customers and tasks for sales teams.' },
  telephony: { title: 'Spring Telephony', text: 'A cloud PBX with smart call routing.' },
  analytics: { title: 'Spring Analytics', text: 'Sales and call reports in one place.' }
}

function page(title: string, body: string): string {
  const nav = Object.entries(PRODUCTS).map(([id, p]) => `<li><a href="/demo/site/${id}">${p.title}</a> · <a href="/demo/site/${id}/pricing">pricing</a></li>`).join('')
  return `<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem}</style></head>
<body><header><a href="/demo/site">Spring Software</a></header><nav><ul>${nav}</ul></nav>
<main><h1>${title}</h1>${body}</main>
<script src="/widget.js" data-site="demo"></script></body></html>
`
}

/**
 * `GET /demo/site…`: a small company site that embeds the chat widget, to try the web chat on a
 * fresh install (chat.yaml's demo site). Three pages viewed, or a pricing page, offer a chat.
 */
export async function demoSiteRoutes(fastify: FastifyInstance): Promise<void> {
  const schema = (summary: string) => ({ summary, response: { 200: textAnswer('the page', 'text/html'), 404: textAnswer('no such product page', 'text/html') } })
  fastify.get('/demo/site', { schema: schema('The demo company site, with the chat widget') }, async (_request, reply) => reply.type('text/html; charset=utf-8').send(page('Spring Software', '<p>Software for sales and support teams.</p>')))
  fastify.get('/demo/site/:product', { schema: { ...schema("A product's page of the demo site"), params: Type.Object({ product: Type.String() }) } }, async (request, reply) => {
    const product = PRODUCTS[(request.params as { product: string }).product]
    if (!product) return reply.code(404).type('text/html; charset=utf-8').send(page('Not found', '<p>No such page.</p>'))
    return reply.type('text/html; charset=utf-8').send(page(product.title, `<p>${product.text}</p>`))
  })
  fastify.get('/demo/site/:product/pricing', { schema: { ...schema("A product's pricing page of the demo site"), params: Type.Object({ product: Type.String() }) } }, async (request, reply) => {
    const product = PRODUCTS[(request.params as { product: string }).product]
    if (!product) return reply.code(404).type('text/html; charset=utf-8').send(page('Not found', '<p>No such page.</p>'))
    return reply.type('text/html; charset=utf-8').send(page(`${product.title}: pricing`, '<p>From 1 200 ₽ a user a month.</p>'))
  })
}
