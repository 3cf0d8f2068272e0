import t from 'tap'
import { request } from '../helpers/test-app.js'
import { amiTestApp, until } from '../telephony/ami/ami-harness.js'

const SPRING_CRM_LINE = '+74951234567'
const STRANGERS = ['+79035550011', '+79035550012', '+79035550013']


t.test('a caller who asks to be called back keeps their place; when served the call-back is placed once, to the agent freed', async (t) => {
  const { url, standIn } = await amiTestApp(t, { WRAP_UP_SECONDS: '0' })
  const busy = [await request(`${url}/v1/route`, { method: 'POST', body: { caller: STRANGERS[0], dialed: SPRING_CRM_LINE, callId: 'busy-anna' } })]
  busy.push(await request(`${url}/v1/route`, { method: 'POST', body: { caller: STRANGERS[1], dialed: SPRING_CRM_LINE, callId: 'busy-boris' } }))
  const ringing = Object.fromEntries(busy.map((b) => [b.body.callId, b.body.decision.targets[0].agentId]))
  for (const [callId, agentId] of Object.entries(ringing)) await request(`${url}/v1/interactions/${callId}/answered`, { method: 'POST', body: { agentId } })

  const waiting = await request(`${url}/v1/route`, { method: 'POST', body: { caller: STRANGERS[2], dialed: SPRING_CRM_LINE, callId: 'wants-cb' } })
  t.equal(waiting.status, 202)
  t.equal(waiting.body.queued.queue, 'sales')
  const kept = await request(`${url}/v1/interactions/wants-cb/callback`, { method: 'POST' })
  t.equal(kept.status, 202)
  t.equal(kept.body.status, 'call-back-queued')
  t.equal(kept.body.queued.position, 1, 'the call-back keeps the place')
  const again = await request(`${url}/v1/interactions/wants-cb/callback`, { method: 'POST' })
  t.equal(again.status, 409, 'asked twice: the second is refused, nothing is queued twice')
  const queues = await request(`${url}/v1/queues`)
  t.match(queues.body.queues.find((q: { name: string }) => q.name === 'sales').calls, [{ callId: 'wants-cb', position: 1, kind: 'callback' }])

  const freed = ringing['busy-anna']!
  await request(`${url}/v1/interactions/busy-anna/ended`, { method: 'POST' })
  await until(() => standIn.actions.some((a) => a.name === 'originate'))
  const originates = standIn.actions.filter((a) => a.name === 'originate')
  t.equal(originates.length, 1, 'placed once')
  t.match(originates[0]!.fields, { exten: '79035550013' })
  t.match(originates[0]!.fields.channel, freed === 'a-anna' ? /1001/ : /1002/, 'through the agent who freed up')
  await new Promise((resolve) => setTimeout(resolve, 1500))
  t.equal(standIn.actions.filter((a) => a.name === 'originate').length, 1, 'still once after the queue ticked again')
  const after = await request(`${url}/v1/queues`)
  t.equal(after.body.queues.find((q: { name: string }) => q.name === 'sales')?.waiting ?? 0, 0)
})
