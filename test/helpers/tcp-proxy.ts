import { once } from 'node:events'
import net from 'node:net'

/** A TCP proxy on loopback in front of a local service (PostgreSQL, Redis) that can drop every connection and refuse new ones. */
export interface TcpProxy {
  port: number
  /** Drops every open connection and refuses new ones. */
  down(): void
  up(): void
  close(): void
}

export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  let accepting = true
  const sockets = new Set<net.Socket>()
  const server = net.createServer((client) => {
    if (!accepting) return client.destroy()
    const upstream = net.connect(targetPort, '127.0.0.1')
    for (const s of [client, upstream]) {
      sockets.add(s)
      s.on('close', () => sockets.delete(s))
      s.on('error', () => s.destroy())
    }
    client.pipe(upstream).pipe(client)
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
    close() {
      for (const s of sockets) s.destroy()
      server.close()
    }
  }
}
