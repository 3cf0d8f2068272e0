import { Errors } from '../errors.js'
import { normalizePhone } from '../identify/normalize-phone.js'
import { productOfUrl, type ChatSite } from '../routing/index.js'
import type { ChatConversations } from './chat-conversations.js'
import type { ChatRouting } from './chat-routing.js'
import type { ChatSites } from './chat-sites.js'
import type { ChatTasks } from './chat-tasks.js'
import type { CallMeBody, ChatRequestResponse, IdentifyBody, MessageLeftBody, ViewRequest, ViewResponse } from './protocol.js'
import { isVisitorId, newVisitorId, type VisitorRow, type VisitorStore } from './visitor-store.js'

export interface VisitorDeskOptions {
  sites: ChatSites
  visitors: VisitorStore
  conversations: ChatConversations
  routing: ChatRouting
  tasks: ChatTasks
  country: string
  now: () => number
}

const DAY_MS = 24 * 3600_000

/**
 * The widget's HTTP side: page views (and the offer), a chat asked for, a message left, a call
 * asked for, a phone or e-mail given. Every call names its site and comes from one of its origins;
 * a visitor id that is malformed, unknown or of another site is never attached to.
 */
export class VisitorDesk {
  constructor(private readonly o: VisitorDeskOptions) {}

  async view(body: ViewRequest, origin: string | null): Promise<ViewResponse> {
    const site = this.o.sites.admit(body.site, origin)
    const settings = this.o.sites.settings()
    const at = this.o.now()
    const known = isVisitorId(body.visitorId) ? await this.o.visitors.find(body.visitorId) : null
    const visitor = known && known.site === site.id ? known : await this.o.visitors.create(newVisitorId(), site.id, at)
    const product = body.product ?? productOfUrl(settings, body.url)
    const returning = Math.floor(visitor.firstSeen / DAY_MS) < Math.floor(at / DAY_MS)
    const { pages } = await this.o.visitors.view(visitor, { url: body.url, title: body.title ?? null, product }, at)
    const linked = visitor.customerId !== null || visitor.leadId !== null
    const offered = settings.offerWhen?.({ visit: { pages, url: body.url, product }, visitor: { known: linked, returning } }) ?? false
    let offer: ViewResponse['offer'] = null
    if (offered) {
      // An agent just freed is owed to a chat already waiting: it is given first, so the offer names who is really free.
      if (this.o.conversations.waitingCount > 0) await this.o.conversations.tick()
      const preview = this.o.routing.preview({ id: `offer-${visitor.id.slice(0, 8)}`, product, at, customer: await this.o.visitors.routingSummary(visitor) })
      offer = { reason: linked ? 'known visitor' : `${pages} page${pages === 1 ? '' : 's'} viewed`, expert: preview.agentName ? { name: preview.agentName } : null, estimatedWaitSeconds: preview.estimatedWaitSeconds }
    }
    return { visitorId: visitor.id, visit: { pages, product }, offer }
  }

  async request(body: { site: string; visitorId: string }, origin: string | null): Promise<{ created: boolean; answer: ChatRequestResponse }> {
    const visitor = await this.visitor(this.o.sites.admit(body.site, origin), body.visitorId)
    return this.o.conversations.open(visitor)
  }

  /** A message for the owner (else the product's expert); a waiting chat ends with it. */
  async leaveMessage(body: MessageLeftBody, origin: string | null): Promise<{ taskId: string }> {
    const site = this.o.sites.admit(body.site, origin)
    const visitor = await this.visitor(site, body.visitorId)
    const text = body.text.trim()
    if (text === '') throw Errors.badRequest('text: write the message to leave')
    const limit = this.o.sites.settings().limits.messageBytes
    const bytes = Buffer.byteLength(text, 'utf8')
    if (bytes > limit) throw Errors.chatMessageTooLong(bytes, limit)
    const phone = await this.identifyWith(visitor, body.phone, body.email)
    const chat = await this.openChat(visitor)
    const task = await this.o.tasks.make(visitor, 'message-left', { text, phone, product: chat?.product ?? null, chatId: chat?.id ?? null })
    if (chat && chat.state === 'waiting') await this.o.conversations.end(chat.id, 'visitor', 'message-left')
    return { taskId: String(task.id) }
  }

  async callMe(body: CallMeBody, origin: string | null): Promise<{ taskId: string; callId: null }> {
    const site = this.o.sites.admit(body.site, origin)
    const visitor = await this.visitor(site, body.visitorId)
    const phone = this.phone(body.phone)
    await this.identifyWith(visitor, phone, undefined)
    const chat = await this.openChat(visitor)
    const task = await this.o.tasks.make(visitor, 'call-me', { phone, product: chat?.product ?? null, chatId: chat?.id ?? null })
    if (chat && chat.state === 'waiting') await this.o.conversations.end(chat.id, 'visitor', 'call-back')
    return { taskId: String(task.id), callId: null }
  }

  async identify(body: IdentifyBody, origin: string | null): Promise<{ linked: boolean }> {
    const visitor = await this.visitor(this.o.sites.admit(body.site, origin), body.visitorId)
    await this.identifyWith(visitor, body.phone, body.email)
    return { linked: visitor.customerId !== null || visitor.leadId !== null }
  }

  private async visitor(site: ChatSite, id: unknown): Promise<VisitorRow> {
    const visitor = isVisitorId(id) ? await this.o.visitors.find(id) : null
    if (!visitor || visitor.site !== site.id) throw Errors.chatVisitorNotFound()
    return visitor
  }

  private async openChat(visitor: VisitorRow) {
    return this.o.conversations.openChatOf(visitor.id)
  }

  /** Links the visitor to the customer (else lead) with this phone or e-mail; the phone in E.164, or null. */
  private async identifyWith(visitor: VisitorRow, phoneInput: string | undefined, emailInput: string | undefined): Promise<string | null> {
    const phone = phoneInput === undefined || phoneInput.trim() === '' ? null : this.phone(phoneInput)
    const email = emailInput === undefined || emailInput.trim() === '' ? null : emailInput.trim().toLowerCase()
    if (email !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw Errors.badRequest(`email: "${emailInput}" is not an e-mail address`)
    if (phone === null && email === null) return null
    const match = await this.o.visitors.match(phone, email)
    if (match && (match.customerId !== visitor.customerId || match.leadId !== visitor.leadId)) {
      await this.o.visitors.link(visitor.id, match)
      Object.assign(visitor, match)
      const chat = await this.openChat(visitor)
      if (chat) await this.o.conversations.update(chat.id, (c) => Object.assign(c, match))
    }
    return phone
  }

  private phone(input: string): string {
    const normalized = normalizePhone(input, this.o.country)
    if (!normalized.ok) throw Errors.invalidPhone(input, normalized.problem)
    return normalized.e164
  }
}
