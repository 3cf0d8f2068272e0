import { performance } from 'node:perf_hooks'
import WebSocket from 'ws'

/**
 * Agents' pages in a process of their own, so that when a card arrives is not
 * when a busy server process gets round to reading it. Arguments: the server's
 * base URL, then `agentId=token` pairs. Prints `ready` once every page is
 * open; when its input closes, prints one JSON line: `{ "<callId> <agentId>":
 * wall-clock ms }` for every card received, then exits.
 */
const [base, ...pairs] = process.argv.slice(2)
const cards: Record<string, number> = {}
const sockets = await Promise.all(
  pairs.map(async (pair) => {
    const [agentId, token] = pair.split('=') as [string, string]
    const url = new URL('/v1/agents/socket', base!.replace(/^http/, 'ws'))
    url.searchParams.set('token', token)
    const socket = new WebSocket(url)
    socket.on('message', (data) => {
      const at = performance.timeOrigin + performance.now()
      const message = JSON.parse(data.toString())
      if (message.type === 'card') cards[`${message.callId} ${agentId}`] = at
    })
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve())
      socket.once('error', reject)
    })
    return socket
  })
)
process.stdout.write('ready\n')
process.stdin.resume()
process.stdin.on('end', () => {
  for (const socket of sockets) socket.close()
  process.stdout.write(`${JSON.stringify(cards)}\n`, () => process.exit(0))
})
