import t from 'tap'
import { request, testApp } from '../helpers/test-app.js'

const csv = (text: string) => ({ method: 'POST', body: text, headers: { 'content-type': 'text/csv' } })

t.test('a file full of bad rows answers with the first 100 errors and the counts of all', async (t) => {
  const { url } = await testApp(t)
  const rows = Array.from({ length: 5000 }, (_, i) => (i % 2 === 0 ? `Customer ${i},+7916${String(1000000 + i).padStart(7, '0')}` : `Customer ${i},not a phone`))
  const res = await request(`${url}/v1/customers/import`, csv(`name,phones\n${rows.join('\n')}\n`))
  t.equal(res.status, 200)
  t.equal(res.body.imported, 2500)
  t.equal(res.body.rejected, 2500, 'every rejected row is counted')
  t.equal(res.body.errors.length, 100, 'only the first 100 are listed')
  t.same(res.body.errors.slice(0, 3).map((e: { line: number }) => e.line), [3, 5, 7], 'in file order')
  t.equal(res.body.errors.at(-1).line, 201)
  t.ok(JSON.stringify(res.body).length < 20_000, 'the answer stays small')
})

t.test('an unclosed quote is reported on the line where the quote opens', async (t) => {
  const { url } = await testApp(t)
  const file = ['name,company,phones', 'Ivan,Petrov LLC,+79161234567', 'Olga,"Smirnova and Sons,+79031112233', 'Pavel,,+79160000002', 'Maria,,+79160000003'].join('\n')
  const res = await request(`${url}/v1/customers/import`, csv(`${file}\n`))
  t.equal(res.body.imported, 1, 'the rows before it land')
  t.equal(res.body.rejected, 1)
  t.equal(res.body.errors[0].line, 3, 'the line of the opening quote, not the end of the file')
  t.match(res.body.errors[0].reason, /quote/i)
})

t.test('a quoted field spanning lines keeps the line numbers of the rows after it right', async (t) => {
  const { url } = await testApp(t)
  const file = ['name,company,phones', 'Ivan,"Petrov', 'LLC",+79161234567', 'Olga,,not a phone'].join('\n')
  const res = await request(`${url}/v1/customers/import`, csv(`${file}\n`))
  t.equal(res.body.imported, 1)
  t.same(res.body.errors.map((e: { line: number }) => e.line), [4])
})
