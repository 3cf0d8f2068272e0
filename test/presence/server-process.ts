// One server process of a multi-process test: the whole App on the schema the test gives,
// listening on a free port, which it prints as the first line of stdout ({"port": N}).
import pino from 'pino'
import { App } from '../../src/app.js'
import { loadConfig } from '../../src/config.js'

const config = loadConfig(process.env)
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }, pino.destination(2))
const app = await App.create({ config, logger, dbSchema: process.env.TEST_DB_SCHEMA })
await app.prepare()
await app.server.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.server.address()
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`)

process.on('SIGTERM', () => {
  void app.stop().then(() => process.exit(0))
})
