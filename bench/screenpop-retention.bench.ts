/**
 * The heap the screen-pop hub holds for reconnecting pages over many calls:
 * 300,000 cards of about 3 KB to 10,000 agents within the retention hour, with
 * the byte limits (SCREENPOP_KEPT_BYTES, 1 MiB per agent) and, with
 * `-- --unbounded`, with the count limit alone (500 events per agent, as before
 * the byte limits: every card of the hour was kept).
 *
 *   node --expose-gc --import tsx bench/screenpop-retention.bench.ts [--unbounded]
 */
import { loadavg } from 'node:os'
import { ScreenPopHub } from '../src/screenpop/screen-pop-hub.js'

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with --expose-gc')
const unbounded = process.argv.includes('--unbounded')
const limit = unbounded ? Number.POSITIVE_INFINITY : undefined
console.log(`${new Date().toISOString()}  load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}  ${unbounded ? 'count limit only' : 'count and byte limits'}`)
const hub = new ScreenPopHub<{ type: string }>({ retentionMs: 3600_000, maxBacklogBytes: 1 << 20, now: Date.now, sweepEveryMs: 0, maxBytes: limit, maxBytesPerAgent: limit })
const history = 'x'.repeat(3000)
gc()
const base = process.memoryUsage().heapUsed
for (let i = 1; i <= 300_000; i++) {
  hub.publish(`b-${String(i % 10_000).padStart(4, '0')}`, { type: 'card', callId: `c${i}`, who: { kind: 'customer', card: { notes: history + i } } } as { type: string })
  if (i % 50_000 === 0) {
    gc()
    gc()
    console.log(`${i.toLocaleString('en').padStart(8)} cards  heap +${((process.memoryUsage().heapUsed - base) / 2 ** 20).toFixed(0)} MiB  kept ${(hub.keptBytes() / 2 ** 20).toFixed(0)} MiB of JSON`)
  }
}
hub.close()
