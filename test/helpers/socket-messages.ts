import type WebSocket from 'ws'

/**
 * Resolves with the first message of `messages` (those received so far) or of the socket's next
 * ones that satisfies `match`; rejects after `withinMs`.
 */
export function messageMatching(messages: any[], socket: WebSocket, match: (m: any) => boolean, withinMs: number): Promise<any> {
  const found = messages.find(match)
  if (found) return Promise.resolve(found)
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching message within ${withinMs / 1000} s`)), withinMs)
    socket.on('message', function onMessage(data) {
      const message = JSON.parse(String(data))
      if (!match(message)) return
      clearTimeout(timer)
      socket.off('message', onMessage)
      resolve(message)
    })
  })
}
