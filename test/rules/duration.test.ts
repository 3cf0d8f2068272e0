import t from 'tap'
import { parseDuration } from '../../src/rules/duration.js'

t.test('durations read with their unit', async (t) => {
  t.same(['20s', '2m', '1h', '30d', '2w', '1m30s', '1.5h', ' 10 s '].map(parseDuration), [20, 120, 3600, 2_592_000, 1_209_600, 90, 5400, 10])
})

t.test('a duration without a unit, with an unknown unit or empty is not a duration', async (t) => {
  t.same(['20', '20 sec', '5y', '', 'm', '-5s'].map(parseDuration), [null, null, null, null, null, null])
})
