import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { Test } from 'tap'
import { TEST_DATABASE_URL } from '../helpers/test-app.js'

/**
 * A login role of the test's own, owning a fresh schema, that can be made
 * read-only and writable again. Its sessions pick the setting up when they
 * start, so each switch also ends the role's open connections (57P01, as an
 * administrator's shutdown would): the pool reconnects into the new setting.
 * Other test files never see the role.
 */
export async function switchableRole(t: Test): Promise<{ url: string; schema: string; readOnly(on: boolean): Promise<void> }> {
  const suffix = randomBytes(5).toString('hex')
  const role = `ro_${suffix}`
  const schema = `t_${suffix}`
  await admin(`create role ${role} login; create schema ${schema} authorization ${role}`)
  t.teardown(() => admin(`drop schema if exists ${schema} cascade; drop role if exists ${role}`))
  const url = new URL(TEST_DATABASE_URL)
  url.username = role
  return {
    url: url.toString(),
    schema,
    readOnly: async (on) => {
      await admin(`alter role ${role} ${on ? 'set default_transaction_read_only = on' : 'reset default_transaction_read_only'}`)
      await admin(`select pg_terminate_backend(pid) from pg_stat_activity where usename = '${role}'`)
    }
  }
}

async function admin(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}
