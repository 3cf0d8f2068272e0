import { App, StartupError } from './app.js'
import { loadConfigOrExit } from './config.js'
import { createLogger } from './logger.js'

// Entry point: `npm start`. Exits non-zero with every bad setting named when the configuration is wrong.
const config = loadConfigOrExit()

// Readable lines for a person at a terminal; JSON lines for a log collector or a pipe.
const logger = createLogger(config.LOG_LEVEL, { pretty: process.stdout.isTTY === true })
const app = await App.create({ config, logger })

let stopping = false
const stop = async (signal: string) => {
  if (stopping) return
  stopping = true
  logger.info({ signal }, 'stopping')
  await app.stop()
  process.exit(0)
}
process.on('SIGINT', () => void stop('SIGINT'))
process.on('SIGTERM', () => void stop('SIGTERM'))

try {
  await app.start()
} catch (err) {
  if (!(err instanceof StartupError)) throw err
  logger.fatal(err.message)
  process.stderr.write(`${err.message}\n`)
  await app.stop()
  process.exit(1)
}
