import type { Logger } from 'pino'
import type { SrfDialog } from './drachtio.js'
import type { SipBridge } from './sip-bridge.js'

/** Longest wait for a phone's answer to a NOTIFY before going on (a BYE may follow it). */
const NOTIFY_WAIT_MS = 2000

/**
 * Tells the phone that sent a REFER how its transfer stands (RFC 3515: NOTIFY with a
 * message/sipfrag status line). Resolves once the phone answered, or after NOTIFY_WAIT_MS;
 * never throws: a phone that misses a NOTIFY loses nothing but its display.
 */
export async function notifyRefer(dialog: SrfDialog, sipfrag: string, final: boolean, log: Logger): Promise<void> {
  const sent = dialog
    .request({
      method: 'NOTIFY',
      headers: { Event: 'refer', 'Subscription-State': final ? 'terminated;reason=noresource' : 'active;expires=60', 'Content-Type': 'message/sipfrag;version=2.0' },
      body: `${sipfrag}\r\n`
    })
    .then(
      () => undefined,
      (err: unknown) => log.debug({ err, sipfrag }, 'NOTIFY of the transfer not answered')
    )
  let timer: NodeJS.Timeout | undefined
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, NOTIFY_WAIT_MS)))
  await Promise.race([sent, waited])
  clearTimeout(timer)
}

/** Ends the REFER subscription of a bridge, if one is open, with this final status. */
export async function endRefer(bridge: SipBridge, sipfrag: string): Promise<void> {
  const refer = bridge.refer
  if (!refer) return
  bridge.refer = null
  if (refer.dialog.connected) await notifyRefer(refer.dialog, sipfrag, true, bridge.log)
}
