import { once } from 'node:events'
import { sql } from 'kysely'
import t from 'tap'
import { agentToken } from '../../helpers/test-app.js'
import { openPage } from '../../screenpop/fixtures/page-client.js'
import type { OutboundInvite } from './drachtio-stand-in.js'
import { sipDemo } from './sip-fixture.js'
import { invite, statusOf } from './sip-text.js'

const BOUND_MS = 150
const IVAN = '"Ivan Petrov" <sip:+79161234567@127.0.0.1:5090>;tag=ivan'

const sip = await sipDemo(t, { SIP_MODE: 'in-path', SCREENPOP_BEFORE_RING_MS: String(BOUND_MS) })
const { standIn, app, url } = sip

t.test('a card held up in the CRM delays the agent\'s ring by SCREENPOP_BEFORE_RING_MS, then goes out when it can', async (t) => {
  const anna = await openPage(url, { token: await agentToken(url, 'a-anna') })
  t.teardown(() => anna.socket.close())
  // The card reads the customer's orders; nothing on the call path does. Hold them locked.
  let release!: () => void
  const released = new Promise<void>((resolve) => (release = resolve))
  let locked!: () => void
  const isLocked = new Promise<void>((resolve) => (locked = resolve))
  const holding = app.database.db.transaction().execute(async (trx) => {
    await sql`lock table orders in access exclusive mode`.execute(trx)
    locked()
    await released
  })
  await isLocked

  const sentAt = Date.now()
  const call = standIn.sendInvite(invite({ to: '+74951234567', from: IVAN, callId: 'slow-card' }))
  const [leg] = (await once(standIn, 'invite-out')) as [OutboundInvite]
  const waited = Date.now() - sentAt
  t.equal(leg.uri, 'sip:anna@pbx.example.com', 'the owner is rung')
  t.ok(waited >= BOUND_MS - 5, `after the bound (${waited} ms)`)
  t.ok(waited < BOUND_MS + 1000, 'and not much later')
  t.notOk(anna.messages.some((m) => m.type === 'card'), 'the card is not out yet')

  release()
  await holding
  const card = await anna.next((m) => m.type === 'card' && m.callId === 'slow-card')
  t.equal(card.title, 'Ivan Petrov', 'the card follows once the CRM answers')
  t.ok(card.who.card.lastCalls.length > 0, 'with the history')
  standIn.cancel(call)
  t.equal(statusOf(await call.final()), 487)
})
