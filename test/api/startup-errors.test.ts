import { spawn } from 'node:child_process'
import { once } from 'node:events'
import t from 'tap'
import { ConfigError, loadConfig } from '../../src/config.js'
import { childEnv } from '../helpers/child-env.js'

const PASSWORD = 'Pa55-w0rd-never-shown'

const problemsOf = (env: Record<string, string>): string => {
  try {
    loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) return `${err.message}\n${err.problems.join('\n')}`
    throw err
  }
  throw new Error('the configuration was accepted')
}

t.test('a bad URL with a password is named without its password', async (t) => {
  const cases: Record<string, string> = {
    DATABASE_URL: `mysql://cti:${PASSWORD}@db.internal:3306/cti`,
    REDIS_URL: `http://:${PASSWORD}@cache.internal:6379/0`,
    SIP_VOICEMAIL_URI: `sip:voicemail:${PASSWORD}@pbx example.com`,
    SCREENPOP_WEBHOOKS: JSON.stringify([{ agent: 'a-anna', url: `ftp://crm:${PASSWORD}@crm.example/pop` }])
  }
  for (const [name, value] of Object.entries(cases)) {
    const message = problemsOf({ [name]: value, SCREENPOP_WEBHOOK_SECRET: 'webhook-secret-0123456789' })
    t.match(message, new RegExp(`^${name}=`, 'm'), `${name} is named`)
    t.notMatch(message, PASSWORD, `${name}: the password is not shown`)
  }
})

t.test('the rest of the URL is still shown, to say what is wrong with it', async (t) => {
  const message = problemsOf({ DATABASE_URL: `mysql://cti:${PASSWORD}@db.internal:3306/cti` })
  t.match(message, 'DATABASE_URL="mysql://cti:***@db.internal:3306/cti": expected a postgres:// connection URL')
})

t.test('passwords given as URL or keyword parameters are masked too', async (t) => {
  const message = problemsOf({ DATABASE_URL: `host=db.internal user=cti password=${PASSWORD} dbname=cti` })
  t.notMatch(message, PASSWORD)
  t.match(message, 'password=***')
  const query = problemsOf({ DATABASE_URL: `pg://db.internal/cti?user=cti&password=${PASSWORD}&sslmode=require` })
  t.notMatch(query, PASSWORD)
  t.match(query, 'sslmode=require')
})

t.test('a password with reserved characters, written unencoded, is masked whole', async (t) => {
  const raw = `p@ss:w/rd#${PASSWORD}`
  const message = problemsOf({ DATABASE_URL: `mysql://cti:${raw}@db.internal/cti` })
  t.notMatch(message, PASSWORD)
  t.notMatch(message, 'w/rd')
})

t.test('start-up with a bad DATABASE_URL exits naming it, without the password', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: childEnv({ DATABASE_URL: `mysql://cti:${PASSWORD}@db.internal/cti`, LOG_LEVEL: 'info' }),
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  child.stdout.on('data', (d: Buffer) => (output += d.toString()))
  child.stderr.on('data', (d: Buffer) => (output += d.toString()))
  const [code] = await once(child, 'exit')
  t.equal(code, 2)
  t.match(output, /DATABASE_URL="mysql:\/\/cti:\*\*\*@db\.internal\/cti"/)
  t.notMatch(output, PASSWORD)
})
