import pino, { type Logger } from 'pino'

/** The process logger: JSON lines, with credentials redacted wherever they appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.headers.authorization', '*.token', '*.secret', '*.password'],
      censor: '[redacted]'
    }
  })
}
