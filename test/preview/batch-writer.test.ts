import pino from 'pino'
import t from 'tap'
import { BatchWriter } from '../../src/preview/batch-writer.js'

const silent = pino({ level: 'silent' })
const refusal = (code: string) => Object.assign(new Error(`refused ${code}`), { code })

t.test('rows the database refuses for the moment are kept and written once it takes them', async (t) => {
  const written: number[] = []
  let refusals = 2
  const writer = new BatchWriter<number>({
    name: 'test', logger: silent, lingerMs: 1, retryMs: { first: 5, max: 10 },
    write: async (rows) => {
      if (refusals-- > 0) throw refusal('25006')
      written.push(...rows)
    }
  })
  for (let i = 0; i < 5; i++) writer.enqueue(i)
  await writer.flush()
  t.same(written, [0, 1, 2, 3, 4])
  t.equal(writer.dropped, 0)
})

t.test('rows the database can never take are dropped and counted', async (t) => {
  const writer = new BatchWriter<number>({ name: 'test', logger: silent, lingerMs: 1, write: async () => { throw refusal('22P02') } })
  writer.enqueue(1)
  writer.enqueue(2)
  await writer.flush()
  t.equal(writer.dropped, 2)
  t.equal(writer.pending, 0)
})

t.test('past its limit the oldest rows go, counted', async (t) => {
  const writer = new BatchWriter<number>({ name: 'test', logger: silent, maxQueue: 3, lingerMs: 10_000, write: async () => undefined })
  for (let i = 0; i < 5; i++) writer.enqueue(i)
  t.equal(writer.pending, 3)
  t.equal(writer.dropped, 2)
  await writer.close(100)
})
