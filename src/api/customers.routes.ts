import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Kysely } from 'kysely'
import { buildCustomerCard, isoDate } from '../crm/customer-card.js'
import { createCustomer, getCustomer, phonesOfCustomer, updateCustomer, type CustomerPhone } from '../crm/customer.repository.js'
import { importCustomersCsv } from '../crm/customer-import.js'
import type { Database } from '../crm/schema.js'
import { Errors } from '../errors.js'
import type { CallerIdentifier } from '../identify/identify-caller.js'
import { CustomerCreate, CustomerPatch, IdParams } from './schemas.js'
import { DB_ERRORS, errorResponses, WRITE_ERRORS } from './error-responses.js'
import { CustomerCardView, CustomerView, ImportResultView } from './response-schemas.js'

export interface CustomerRoutesOptions {
  db: Kysely<Database>
  identifier: CallerIdentifier
  now: () => number
  importLimitBytes: number
}

const cardSchema = {
  summary: 'The screen-pop card of the customer a phone number belongs to (any format, a SIP URI too)',
  params: Type.Object({ phone: Type.String({ maxLength: 256 }) }),
  response: { 200: CustomerCardView, ...errorResponses({ 400: ['CTI_ERR_INVALID_PHONE'], 404: ['CTI_ERR_CUSTOMER_NOT_FOUND'] }, DB_ERRORS) }
}
const getSchema = { summary: 'A customer with their phones', params: IdParams, response: { 200: CustomerView, ...errorResponses({ 404: ['CTI_ERR_CUSTOMER_NOT_FOUND'] }, DB_ERRORS) } }
const createSchema = {
  summary: 'Creates a customer; phones in any format are stored as E.164',
  body: CustomerCreate,
  response: { 201: CustomerView, ...errorResponses({ 400: ['CTI_ERR_INVALID_PHONE'], 409: ['CTI_ERR_PHONE_TAKEN'] }, WRITE_ERRORS) }
}
const patchSchema = {
  summary: "Changes a customer's fields; phones, when given, replace theirs",
  params: IdParams,
  body: CustomerPatch,
  response: { 200: CustomerView, ...errorResponses({ 400: ['CTI_ERR_INVALID_PHONE'], 404: ['CTI_ERR_CUSTOMER_NOT_FOUND'], 409: ['CTI_ERR_PHONE_TAKEN'] }, WRITE_ERRORS) }
}
const importSchema = {
  summary: 'Imports customers from a CSV file (Content-Type: text/csv), streamed',
  description:
    'Columns: name, company, phones, owner, tier, segment, language, needs, purchase_volume, seasonality, overdue_amount, overdue_days, refusal_reasons, blocked (lists `;`-separated). 422 when no row could be imported.',
  consumes: ['text/csv'],
  response: { 200: ImportResultView, 422: ImportResultView, ...errorResponses(WRITE_ERRORS) }
}

/** Customers: create/update with phones, the card by phone, and CSV bulk import. */
export async function customerRoutes(fastify: FastifyInstance, options: CustomerRoutesOptions): Promise<void> {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>()
  const { db, identifier } = options

  const normalizePhones = (phones: { phone: string; kind?: string }[] | undefined): CustomerPhone[] | undefined =>
    phones?.map((p) => {
      const n = identifier.normalize(p.phone)
      if (!n.ok) throw Errors.invalidPhone(p.phone, n.problem)
      return { phone: n.e164, kind: p.kind ?? 'mobile' }
    })

  app.get('/v1/customers/by-phone/:phone/card', { schema: cardSchema }, async (request) => {
    const { phone, customer } = await identifier.identify(request.params.phone)
    if (!phone.ok) throw Errors.invalidPhone(request.params.phone, phone.problem)
    if (!customer) throw Errors.customerNotFound(`the phone ${phone.e164}`)
    const card = await buildCustomerCard(db, Number(customer.id), isoDate(options.now()))
    if (!card) throw Errors.customerNotFound(`the phone ${phone.e164}`)
    return card
  })

  app.get('/v1/customers/:id', { schema: getSchema }, async (request) => {
    const customer = await getCustomer(db, request.params.id)
    if (!customer) throw Errors.customerNotFound(`the id ${request.params.id}`)
    return customer
  })

  app.post('/v1/customers', { schema: createSchema }, async (request, reply) => {
    const phones = normalizePhones(request.body.phones)
    const customer = await createCustomer(db, { ...request.body, phones })
    identifier.customerChanged(customer.id, customer.phones.map((p) => p.phone))
    return reply.code(201).send(customer)
  })

  app.patch('/v1/customers/:id', { schema: patchSchema }, async (request) => {
    const phones = normalizePhones(request.body.phones)
    const before = await phonesOfCustomer(db, request.params.id)
    const customer = await updateCustomer(db, request.params.id, { ...request.body, phones })
    if (!customer) throw Errors.customerNotFound(`the id ${request.params.id}`)
    identifier.customerChanged(customer.id, [...before, ...customer.phones.map((p) => p.phone)])
    return customer
  })

  // The CSV body is handed over as a stream: a large file is never held in memory.
  app.addContentTypeParser(['text/csv', 'application/csv'], (_request, payload, done) => done(null, payload))
  app.post('/v1/customers/import', { schema: importSchema }, async (request, reply) => {
    if (!/^(text|application)\/csv/.test(request.headers['content-type'] ?? '')) {
      throw Errors.unsupportedMedia('send the file as Content-Type: text/csv')
    }
    // Each batch's numbers leave the caller cache as it lands (they may be cached as unknown); nothing piles up per row.
    const result = await importCustomersCsv(db, request.body as NodeJS.ReadableStream, {
      normalize: (raw) => identifier.normalizeOnce(raw),
      limitBytes: options.importLimitBytes,
      onWritten: (phones) => {
        for (const phone of phones) identifier.cache.invalidatePhone(phone)
      }
    })
    request.log.info({ imported: result.imported, rejected: result.rejected }, 'customers imported')
    return reply.code(result.imported > 0 || result.rejected === 0 ? 200 : 422).send(result)
  })
}
