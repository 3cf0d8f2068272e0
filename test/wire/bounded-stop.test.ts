import pino from 'pino'
import t from 'tap'
import { stopWithin } from '../../src/wire/bounded-stop.js'

function capturingLogger() {
  const lines: any[] = []
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) })
  return { logger, lines }
}

t.test('a part that never stops is named in one log line and the stop goes on past the bound', async (t) => {
  const { logger, lines } = capturingLogger()
  const started = Date.now()
  await stopWithin(logger, 'database', new Promise(() => {}), 50)
  t.ok(Date.now() - started < 1000, 'the stop went on')
  t.equal(lines.length, 1)
  t.match(lines[0], { part: 'database', ms: 50, msg: 'part did not stop in time; stopping the rest without it' })
})

t.test('a part that stops in time leaves no log line', async (t) => {
  const { logger, lines } = capturingLogger()
  await stopWithin(logger, 'http', Promise.resolve(), 50)
  t.equal(lines.length, 0)
})

t.test('a part whose stop fails is logged with its error and the stop goes on', async (t) => {
  const { logger, lines } = capturingLogger()
  await stopWithin(logger, 'redis', Promise.reject(new Error('connection reset')), 50)
  t.match(lines[0], { part: 'redis', err: { message: 'connection reset' }, msg: 'part failed to stop; stopping the rest' })
})
