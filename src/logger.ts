import { createRequire } from 'node:module'
import pino, { type DestinationStream, type Logger } from 'pino'

/** pino-pretty's stream factory (the part of its API used here). */
export type PrettyFactory = (options: Record<string, unknown>) => DestinationStream

/** How the process logger writes. */
export interface LogOutput {
  /** Readable lines for a person at a terminal, when pino-pretty is installed; JSON lines otherwise. */
  pretty?: boolean
  /** Where JSON lines go; stdout when not given. */
  destination?: DestinationStream
  /** Finds pino-pretty; undefined when it is not installed. */
  loadPretty?: () => PrettyFactory | undefined
}

const REDACT = {
  paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.headers.authorization', '*.token', '*.secret', '*.password'],
  censor: '[redacted]'
}

/** The process logger: JSON lines (or pretty ones, see LogOutput), with credentials redacted wherever they appear. */
export function createLogger(level: string, output: LogOutput = {}): Logger {
  const pretty = output.pretty ? (output.loadPretty ?? loadPinoPretty)() : undefined
  // Synchronous, so that the lines written just before process.exit (a failed start-up) are not lost.
  const stream = pretty ? pretty({ sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) : output.destination
  return stream ? pino({ level, redact: REDACT }, stream) : pino({ level, redact: REDACT })
}

/** pino-pretty is a development dependency: a production install (the image) has none and logs JSON. */
function loadPinoPretty(): PrettyFactory | undefined {
  try {
    return createRequire(import.meta.url)('pino-pretty') as PrettyFactory
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException
    if (code === 'MODULE_NOT_FOUND' && message.includes("'pino-pretty'")) return undefined
    throw err
  }
}
