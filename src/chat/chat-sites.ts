import { Errors } from '../errors.js'
import type { ChatSettings, ChatSite } from '../routing/index.js'

/**
 * The chat's settings as the rules in force hold them (chat.yaml), and the one check every
 * visitor endpoint makes first: the site is configured and the request comes from one of its origins.
 */
export class ChatSites {
  constructor(private readonly current: () => ChatSettings | undefined) {}

  /** The settings in force; 503 CTI_ERR_CHAT_DISABLED when the rules have no chat section. */
  settings(): ChatSettings {
    const settings = this.current()
    if (!settings) throw Errors.chatDisabled()
    return settings
  }

  get enabled(): boolean {
    return this.current() !== undefined
  }

  /** The site, when `origin` is one of its origins; else the coded error to answer. */
  admit(siteId: unknown, origin: string | null): ChatSite {
    const settings = this.settings()
    const site = typeof siteId === 'string' ? settings.sites.get(siteId) : undefined
    if (!site) throw Errors.chatUnknownSite(String(siteId ?? ''))
    if (origin === null || !site.origins.includes(origin)) throw Errors.chatOriginRefused(origin, site.id)
    return site
  }

  /** Whether any site allows the origin: a CORS preflight carries no site to check against. */
  allowsOrigin(origin: string | undefined): boolean {
    const settings = this.current()
    if (!settings || !origin) return false
    for (const site of settings.sites.values()) if (site.origins.includes(origin)) return true
    return false
  }
}
