import t from 'tap'
import { creditedAgent, talkSegments } from '../../src/calls/talk-segments.js'

// Who talked on a call, read off its steps, and who gets the "last agent" credit.

const S = 1000
const step = (at: number, kind: string, agentId: string | null = null) => ({ at: at * S, kind, agentId })

t.test('a call answered once has one segment, from the answer to the end', async (t) => {
  t.same(talkSegments([step(0, 'routed'), step(1, 'offered', 'anna'), step(5, 'answered', 'anna'), step(65, 'ended')]), [{ agentId: 'anna', from: 5 * S, to: 65 * S }])
})

t.test('a transfer closes the first agent\'s segment and the colleague\'s answer opens theirs', async (t) => {
  const steps = [step(5, 'answered', 'anna'), step(125, 'transfer', 'anna'), step(126, 'offered', 'boris'), step(130, 'answered', 'boris'), step(400, 'ended')]
  t.same(talkSegments(steps), [
    { agentId: 'anna', from: 5 * S, to: 125 * S },
    { agentId: 'boris', from: 130 * S, to: 400 * S }
  ])
})

t.test('a call still in progress has an open segment', async (t) => {
  t.same(talkSegments([step(5, 'answered', 'anna')]), [{ agentId: 'anna', from: 5 * S, to: null }])
})

t.test('the credit goes to the last segment long enough, not to a colleague who held the call a moment', async (t) => {
  const segments = talkSegments([step(0, 'answered', 'anna'), step(300, 'transfer', 'anna'), step(305, 'answered', 'boris'), step(308, 'ended')])
  t.equal(creditedAgent(segments, 10), 'anna')
  t.equal(creditedAgent(segments, 2), 'boris')
})

t.test('no credit when nobody talked long enough, or nobody answered', async (t) => {
  t.equal(creditedAgent(talkSegments([step(0, 'answered', 'anna'), step(3, 'ended')]), 10), null)
  t.equal(creditedAgent(talkSegments([step(0, 'offered', 'anna'), step(20, 'ended')]), 10), null)
})
