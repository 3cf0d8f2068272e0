import { Readable } from 'node:stream'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import t from 'tap'
import { importCustomersCsv } from '../../src/crm/customer-import.js'
import { normalizePhone } from '../../src/identify/normalize-phone.js'
import { testDatabase } from '../helpers/test-app.js'

// Writing a quarter of a million customers takes a minute or two on a busy machine.
t.setTimeout(600_000)
setFlagsFromString('--expose-gc')
const gc = runInNewContext('gc') as () => void
const MB = 1024 * 1024
const mb = (n: number) => Math.round(n / MB)

/** About 50 MB of customers, one row in ten refused (no usable phone): generated as read, never held whole. */
function fiftyMegabytes(rows: number): Readable {
  return Readable.from(
    (function* () {
      yield 'name,company,phones,tier,needs,seasonality\n'
      for (let i = 0; i < rows; i++) {
        const phones = i % 10 === 9 ? 'n/a' : `+7916${String(i).padStart(7, '0')};+7903${String(i).padStart(7, '0')}`
        yield `Customer number ${i},Company of customer ${i} and partners,${phones},standard,CRM;telephony;analytics;reports,busy from March to May and again in the autumn\n`
      }
    })()
  )
}

t.test('a 50 MB import keeps no memory per row, during the import or after it', { timeout: 600_000 }, async (t) => {
  const database = await testDatabase(t)
  const ROWS = 280_000
  gc()
  const before = process.memoryUsage()
  // Live memory, not garbage waiting for a collection: what the import holds on to.
  let liveHeapPeak = 0
  const sampler = setInterval(() => {
    gc()
    liveHeapPeak = Math.max(liveHeapPeak, process.memoryUsage().heapUsed)
  }, 2000)
  let invalidated = 0
  const result = await importCustomersCsv(database.db, fiftyMegabytes(ROWS), {
    normalize: (raw) => normalizePhone(raw, 'RU'),
    limitBytes: 100 * MB,
    onWritten: (phones) => void (invalidated += phones.length)
  })
  clearInterval(sampler)
  gc()
  const after = process.memoryUsage()
  t.comment(`heap used ${mb(before.heapUsed)} MB before, ${mb(liveHeapPeak)} MB live at most during, ${mb(after.heapUsed)} MB after; rss ${mb(before.rss)} → ${mb(after.rss)} MB`)
  t.ok(liveHeapPeak - before.heapUsed < 32 * MB, `live heap grew by at most ${mb(liveHeapPeak - before.heapUsed)} MB during the import`)
  t.ok(after.heapUsed - before.heapUsed < 8 * MB, `heap used is back within ${mb(after.heapUsed - before.heapUsed)} MB afterwards`)
  t.equal(result.imported, ROWS - ROWS / 10)
  t.equal(result.rejected, ROWS / 10)
  t.equal(result.errors.length, 100)
  t.equal(invalidated, 2 * result.imported, 'every new number is handed over for the caller cache, batch by batch')
})
