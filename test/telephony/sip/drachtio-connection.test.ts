import { Writable } from 'node:stream'
import pino from 'pino'
import t from 'tap'
import { createSrf } from '../../../src/telephony/sip/drachtio.js'
import { DrachtioConnection } from '../../../src/telephony/sip/drachtio-connection.js'
import { DrachtioStandIn } from './drachtio-stand-in.js'

/** A logger whose lines the test reads back, at every level. */
function capturedLogger() {
  const lines: { level: number; msg: string }[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line))
      done()
    }
  })
  return { logger: pino({ level: 'debug' }, stream), lines }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > 5000) throw new Error(`timed out waiting: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

t.test('each loss of the connection is logged once as lost, and told once, before the reconnection', async (t) => {
  const standIn = await DrachtioStandIn.start({ secret: 'cymru' })
  t.teardown(() => standIn.close())
  const { logger, lines } = capturedLogger()
  let told = 0
  const connection = new DrachtioConnection({ srf: createSrf(), host: '127.0.0.1', port: standIn.port, secret: 'cymru', logger, maxRetryDelayMs: 200, onLost: () => told++ })
  t.teardown(() => connection.stop())
  connection.start()
  await until(() => connection.current.state === 'connected', 'first connection')

  for (let loss = 1; loss <= 2; loss++) {
    standIn.dropClients()
    await until(() => connection.current.state !== 'connected', `loss ${loss}`)
    await until(() => connection.current.state === 'connected', `reconnection ${loss}`)
    const lost = lines.filter((line) => line.msg === 'connection to drachtio-server lost')
    t.equal(lost.length, loss, `loss ${loss}: one "lost" line so far per loss`)
    t.equal(lost.at(-1)?.level, 40, 'at warn level')
    t.equal(told, loss, `loss ${loss}: told once`)
  }
  const messages = lines.map((line) => line.msg)
  const firstLost = messages.indexOf('connection to drachtio-server lost')
  t.ok(firstLost >= 0 && firstLost < messages.indexOf('reconnecting to drachtio-server'), 'the loss is logged before the reconnecting')
})
