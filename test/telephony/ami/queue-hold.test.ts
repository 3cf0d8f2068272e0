import t from 'tap'
import { peakHourRulesDir } from '../queue-rules.js'
import { amiTestApp, CALLERS, SPRING_CRM_LINE, until } from './ami-harness.js'
import type { AmiStandIn } from './ami-stand-in.js'

/**
 * The peak hour through Asterisk (the AMI stand-in): both sellers (Anna 1001, Boris 1002) talk,
 * a known customer (Ivan, priority 10) and two new callers wait in [cti-queue-hold] with their
 * position and wait set on their channels, and the seller who hangs up first takes Ivan.
 */
const stranger = (n: number) => `+7903555${String(n).padStart(4, '0')}`
type Channel = ReturnType<AmiStandIn['newChannel']>

async function peakHour(t: Parameters<typeof amiTestApp>[0]) {
  const server = await amiTestApp(t, { RULES_DIR: await peakHourRulesDir(t, { announceEvery: '20s' }), WRAP_UP_SECONDS: '0', AMI_ANNOUNCE_SECONDS: '7' })
  const { standIn } = server
  /** The context and extension the channel was last Redirected to, once it was. */
  const redirectedTo = async (channel: Channel, context: string) => {
    await until(() => standIn.actions.some((a) => a.name === 'redirect' && a.fields.channel === channel.name && a.fields.context === context))
    return standIn.actions.filter((a) => a.name === 'redirect' && a.fields.channel === channel.name).at(-1)!.fields
  }
  const talking: { caller: Channel; phone: Channel; exten: string }[] = []
  for (const n of [1, 2]) {
    const caller = standIn.newChannel({ callerNum: stranger(n) })
    standIn.routeRequest(caller, SPRING_CRM_LINE)
    const { exten } = await redirectedTo(caller, 'cti-agents')
    const phone = standIn.dialBegin(caller, `PJSIP/${exten}`)
    standIn.answer(caller, phone, `PJSIP/${exten}`)
    talking.push({ caller, phone, exten: exten! })
  }
  await until(() => ['a-anna', 'a-boris'].every((id) => server.app.agents.get(id)?.state.status === 'busy'))
  const wait = async (callerNum: string) => {
    const caller = standIn.newChannel({ callerNum })
    standIn.routeRequest(caller, SPRING_CRM_LINE)
    await redirectedTo(caller, 'cti-queue-hold')
    return caller
  }
  const vars = (channel: Channel) => standIn.channels.get(channel.name)!.vars
  return { ...server, talking, wait, vars, redirectedTo }
}

t.test('every seller busy: the waiting calls are held with their positions, and the known customer is Redirected to the seller who frees up', async (t) => {
  const { standIn, talking, wait, vars, redirectedTo, records } = await peakHour(t)
  const newA = await wait(CALLERS.stranger)
  t.equal(vars(newA).get('CTI_QUEUE_POSITION'), '1')
  t.equal(vars(newA).get('CTI_QUEUE_NAME'), 'sales')
  t.match(vars(newA).get('CTI_QUEUE_WAIT'), /^\d+$/)
  t.equal(vars(newA).get('CTI_ANNOUNCE_EVERY'), '20', "announced as often as the queue's settings say")
  const newB = await wait(stranger(12))
  t.equal(vars(newB).get('CTI_QUEUE_POSITION'), '2')
  const ivan = await wait(CALLERS.ivan)
  t.equal(vars(ivan).get('CTI_QUEUE_POSITION'), '1', 'the known customer goes ahead of both')
  await until(() => vars(newA).get('CTI_QUEUE_POSITION') === '2')
  t.pass('the first new caller is set to second (Setvar, no Redirect)')
  t.equal(standIn.actions.filter((a) => a.name === 'redirect' && a.fields.channel === newA.name).length, 1)

  const freed = talking[0]!
  standIn.hangup(freed.phone)
  standIn.hangup(freed.caller)
  const served = await redirectedTo(ivan, 'cti-agents')
  t.equal(served.exten, freed.exten, 'Ivan is Redirected to the seller who hung up')
  t.notOk(standIn.actions.some((a) => a.name === 'redirect' && a.fields.channel === newA.name && a.fields.context === 'cti-agents'), 'the new callers still wait while Ivan talks')
  const phone = standIn.dialBegin(ivan, `PJSIP/${freed.exten}`)
  standIn.answer(ivan, phone, `PJSIP/${freed.exten}`)
  standIn.hangup(phone)
  standIn.hangup(ivan)
  await until(async () => (await records()).some((r) => r.id === ivan.linkedid))
  t.match((await records()).find((r) => r.id === ivan.linkedid), { outcome: 'answered', caller: CALLERS.ivan })
})

t.test('a caller who hangs up while held is recorded as abandoned, and the seller who frees up is not offered them', async (t) => {
  const { standIn, talking, wait, records, app } = await peakHour(t)
  const leaving = await wait(CALLERS.stranger)
  standIn.hangup(leaving, 16, 'Normal Clearing')
  await until(async () => (await records()).some((r) => r.id === leaving.linkedid))
  t.match((await records()).find((r) => r.id === leaving.linkedid), { outcome: 'abandoned', end_cause: '16 Normal Clearing' })
  const redirects = standIn.actions.filter((a) => a.name === 'redirect').length
  standIn.hangup(talking[0]!.phone)
  standIn.hangup(talking[0]!.caller)
  await until(() => app.agents.get('a-anna')?.state.status === 'available' || app.agents.get('a-boris')?.state.status === 'available')
  await until(async () => (await records()).some((r) => r.id === talking[0]!.caller.linkedid))
  t.equal(standIn.actions.filter((a) => a.name === 'redirect').length, redirects, 'no Redirect for the caller who left')
})
