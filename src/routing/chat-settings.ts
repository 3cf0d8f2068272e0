/**
 * The web chat's settings as the rules set carries them (chat.yaml, compiled by src/rules). Plain
 * data and one compiled condition: the chat service reads them, the routing core does not.
 */

/** What `offer when` reads about one page view. */
export interface OfferContext {
  visit: { pages: number; url: string; product: string | null }
  visitor: { known: boolean; returning: boolean }
}

export interface ChatSite {
  id: string
  /** Exact origins (scheme://host[:port]) allowed to call the visitor endpoints and open the socket. */
  origins: readonly string[]
  language: 'ru' | 'en'
}

export interface ChatCatalogueCard {
  id: string
  product: string | null
  title: string
  summary: string
  url: string
}

export interface ChatLimits {
  messageBytes: number
  perVisitorPerMinute: number
  perIpPerMinute: number
}

export interface ChatSettings {
  /** Where it was written ("chat.yaml:1"). */
  source: string
  sites: ReadonlyMap<string, ChatSite>
  /** URL path prefix → product, longest prefix first. */
  productsByUrl: readonly { prefix: string; product: string }[]
  /** The compiled `offer when`; absent: a chat is never offered on its own (the visitor may still ask). */
  offerWhen?: (ctx: OfferContext) => boolean
  catalogue: readonly ChatCatalogueCard[]
  quickReplies: Readonly<Record<'ru' | 'en', readonly string[]>>
  limits: ChatLimits
}

export const DEFAULT_CHAT_LIMITS: Readonly<ChatLimits> = Object.freeze({ messageBytes: 2000, perVisitorPerMinute: 30, perIpPerMinute: 120 })

/** Chats an agent holds at once when their profile does not say. */
export const DEFAULT_CHAT_CAPACITY = 3

/** The product a page is about by its URL path: the longest configured prefix that matches. */
export function productOfUrl(settings: ChatSettings, url: string): string | null {
  let path: string
  try {
    path = new URL(url).pathname
  } catch {
    path = url
  }
  for (const { prefix, product } of settings.productsByUrl) if (path.startsWith(prefix)) return product
  return null
}
