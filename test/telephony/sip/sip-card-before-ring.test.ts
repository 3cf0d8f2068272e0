import t from 'tap'
import { agentToken } from '../../helpers/test-app.js'
import { openPage } from '../../screenpop/fixtures/page-client.js'
import type { OutboundInvite } from './drachtio-stand-in.js'
import { sipDemo } from './sip-fixture.js'
import { invite, statusOf } from './sip-text.js'

const IVAN = '"Ivan Petrov" <sip:+79161234567@127.0.0.1:5090>;tag=ivan'
const SPRING_LINE = '+74951234567'

const sip = await sipDemo(t, { SIP_MODE: 'in-path', SCREENPOP_BEFORE_RING_MS: '1000' })
const { standIn, app, url } = sip

/** The cards the agents' pages received, as `callId agentId`. */
const cardsAt = new Set<string>()
const pages = await Promise.all(
  app.agents.snapshot().map(async (view) => {
    const agentId = view.profile.id
    const page = await openPage(url, { token: await agentToken(url, agentId) })
    page.socket.on('message', (data) => {
      const message = JSON.parse(data.toString())
      if (message.type === 'card') cardsAt.add(`${message.callId} ${agentId}`)
    })
    return page
  })
)
t.teardown(() => pages.forEach((page) => page.socket.close()))

/**
 * Every agent's phone is busy: each call rings agent after agent until the final action. Server,
 * pages and stand-in share this process, so two frames read in the same event-loop turn cannot be
 * ordered by their timestamps (the order in which the kernel hands ready sockets over is not the
 * order of the writes). So the stand-in looks, at the end of the turn in which an INVITE reached
 * it, whether that agent's card has reached the page ('invite-out' is emitted in that turn's check
 * phase, after every socket read of the turn); a card sent after the INVITE (the CRM still
 * being read) comes turns later. The real lead times are measured against a real drachtio-server
 * (test/sipp).
 */
const invites: { callId: string; agentId: string; cardThere: boolean }[] = []
standIn.on('invite-out', (leg: OutboundInvite) => {
  const agentId = app.agents.snapshot().find((view) => view.profile.address === leg.uri)?.profile.id ?? leg.uri
  const callId = leg.header('X-Original-Call-ID') ?? ''
  invites.push({ callId, agentId, cardThere: cardsAt.has(`${callId} ${agentId}`) })
  leg.respond(486, 'Busy Here')
})

t.test('on every call, each agent\'s card reaches their page before their phone is rung', async (t) => {
  const callers = [IVAN, '<sip:+79035550201@127.0.0.1>;tag=n1', '<sip:+79035550202@127.0.0.1>;tag=n2']
  for (let i = 0; i < 12; i++) {
    const call = standIn.sendInvite(invite({ to: SPRING_LINE, from: callers[i % callers.length], callId: `card-first-${i}` }))
    // Every agent busy: the final action, or a wait in the rule's queue, which the caller gives up.
    const first = await call.response((status) => status === 182 || status >= 200)
    if (statusOf(first) === 182) standIn.cancel(call)
    t.ok(statusOf(await call.final()) >= 400, `call ${i} ends after every agent was busy`)
  }
  t.ok(invites.length >= 24, `${invites.length} agents rung`)
  t.same(invites.filter((i) => !i.cardThere), [], 'no agent was rung before their card was on its way to their page')
})
