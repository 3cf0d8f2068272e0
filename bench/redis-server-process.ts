// One server process of the multi-process benchmarks (bench:redis, bench:chat): the whole App on the schema it is given,
// listening on a free port, printed as the first line of stdout ({"port": N}).
import pino from 'pino'
import { App } from '../src/app.js'
import { loadConfig } from '../src/config.js'

const config = loadConfig(process.env)
const app = await App.create({ config, logger: pino({ level: 'silent' }), dbSchema: process.env.BENCH_DB_SCHEMA })
await app.prepare()
await app.server.listen({ host: '127.0.0.1', port: 0 })
const address = app.server.server.address()
process.stdout.write(`${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`)
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)))
