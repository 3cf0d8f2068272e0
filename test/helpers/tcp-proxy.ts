import { once } from 'node:events'
import net from 'node:net'

/** A TCP proxy on loopback in front of a local service (PostgreSQL, Redis) that can drop every connection and refuse new ones. */
export interface TcpProxy {
  port: number
  /** Drops every open connection and refuses new ones. */
  down(): void
  up(): void
  /** Holds every byte back this long, in both directions (0: none); order is kept. */
  delay(ms: number): void
  close(): void
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let accepting = true
  let delayMs = 0
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    if (!accepting) return client.destroy()
    const upstream = net.connect(targetPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => s.destroy())
    }
    relay(client, upstream, () => delayMs)
    relay(upstream, client, () => delayMs)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  return {
    port: (server.address() as net.AddressInfo).port,
    down() {
      accepting = false
      for (const s of sockets) s.destroy()
    },
    up() {
      accepting = true
    },
    delay(ms) {
      delayMs = ms
    },
    close() {
      for (const s of sockets) s.destroy()
      server.close()
    }
  }
}

/** Copies `from` to `to`, each chunk held back by the delay in force when it arrived; a later chunk never overtakes an earlier one. */
function relay(from: net.Socket, to: net.Socket, delayMs: () => number): void {
  const held: { at: number; chunk: Buffer }[] = []
  let timer: NodeJS.Timeout | undefined
  let ended = false
  const flush = () => {
    timer = undefined
    while (held.length > 0 && held[0]!.at <= Date.now()) to.write(held.shift()!.chunk)
    if (held.length > 0) timer = setTimeout(flush, held[0]!.at - Date.now())
    else if (ended) to.end()
  }
  from.on('data', (chunk: Buffer) => {
    const ms = delayMs()
    if (ms <= 0 && held.length === 0) return void to.write(chunk)
    held.push({ at: Math.max(Date.now() + ms, held[held.length - 1]?.at ?? 0), chunk })
    timer ??= setTimeout(flush, Math.max(0, held[0]!.at - Date.now()))
  })
  // What is held back is still delivered after `from` closes (a reply sent just before the server hangs up).
  from.on('end', () => {
    ended = true
    if (held.length === 0) to.end()
  })
}
