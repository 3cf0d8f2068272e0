import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { signWebhook } from '../../src/screenpop/webhook-pop.js'
import { request } from '../helpers/test-app.js'
import { ORDINARY, queueApp, route } from '../api/queue-fixture.js'

const SECRET = 'queue-webhook-secret-0123'

interface Received {
  headers: IncomingMessage['headers']
  body: string
}

t.test('the queue webhook is told, signed, which agent a waiting call was given', async (t) => {
  const received: Received[] = []
  const receiver = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.writeHead(204).end()
    })
  })
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => receiver.close(() => resolve())))
  const port = (receiver.address() as AddressInfo).port
  const { url } = await queueApp(t, ['a1'], { env: { QUEUE_WEBHOOK_URL: `http://127.0.0.1:${port}/queue`, QUEUE_WEBHOOK_SECRET: SECRET } })

  await route(url, 'busy-1', ORDINARY[0]!)
  t.equal((await route(url, 'hooked', ORDINARY[1]!)).status, 202)
  await request(`${url}/v1/interactions/busy-1/ended`, { method: 'POST' })
  const deadline = Date.now() + 10_000
  while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(received.length, 1, 'one delivery')
  const [delivery] = received
  const body = JSON.parse(delivery!.body)
  t.match(body, { type: 'queue-served', callId: 'hooked', agentId: 'a1', address: 'sip:a1@pbx.example.com', queue: 'floor' })
  const timestamp = String(delivery!.headers['x-cti-timestamp'])
  t.equal(delivery!.headers['x-cti-signature'], signWebhook(SECRET, timestamp, delivery!.body), 'signed with the queue secret')
  t.equal(delivery!.headers['x-event-id'], body.id)
})
