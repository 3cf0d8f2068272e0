import t from 'tap'
import { ConfigError, describeConfig, loadConfig } from '../src/config.js'

t.test('defaults give a working configuration on the embedded database', async (t) => {
  const config = loadConfig({})
  t.equal(config.PORT, 3000)
  t.equal(config.DATABASE_URL, undefined)
  t.equal(config.DEFAULT_COUNTRY, 'RU')
  t.ok(Object.isFrozen(config))
})

t.test('values are converted to their types', async (t) => {
  const config = loadConfig({ PORT: '8080', RULES_WATCH: 'false', WRAP_UP_SECONDS: '0', DATABASE_URL: 'postgres://u@db/cti' })
  t.equal(config.PORT, 8080)
  t.equal(config.RULES_WATCH, false)
  t.equal(config.WRAP_UP_SECONDS, 0)
  t.equal(config.DATABASE_URL, 'postgres://u@db/cti')
})

t.test('an empty variable counts as unset', async (t) => {
  t.equal(loadConfig({ PORT: '' }).PORT, 3000)
})

t.test('every bad variable is named with what it expects', async (t) => {
  const err = t.throws(() => loadConfig({ PORT: '99999', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x', DEFAULT_COUNTRY: 'ru' })) as ConfigError
  t.equal(err.code, 'CTI_ERR_CONFIG')
  t.same(err.problems, [
    'PORT="99999": expected a TCP port 1..65535',
    'LOG_LEVEL="loud": expected one of fatal, error, warn, info, debug, trace, silent',
    'DATABASE_URL="mysql://x": expected a postgres:// connection URL; leave unset for the embedded database',
    'DEFAULT_COUNTRY="ru": expected an ISO 3166 two-letter country code, e.g. RU, GB, US'
  ])
})

t.test('every setting is described for the documentation', async (t) => {
  const names = describeConfig().map((c) => c.name)
  t.ok(names.includes('DATABASE_URL'))
  t.ok(describeConfig().every((c) => c.expected.length > 0))
})
