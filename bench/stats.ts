/** Figures for the benchmarks: percentiles of per-operation samples, and readable sizes. */

export interface Summary {
  name: string
  count: number
  /** Microseconds. */
  p50: number
  p99: number
  mean: number
}

/** The p-th percentile (0..100) of an ascending array, nearest rank; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN
  const rank = Math.ceil((p / 100) * sorted.length)
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!
}

/** Prints and returns p50, p99 and mean, in microseconds, of samples taken in nanoseconds. */
export function summarize(name: string, samplesNs: number[]): Summary {
  const sorted = Float64Array.from(samplesNs).sort()
  let sum = 0
  for (const s of sorted) sum += s
  const summary: Summary = {
    name,
    count: sorted.length,
    p50: percentile(sorted, 50) / 1000,
    p99: percentile(sorted, 99) / 1000,
    mean: sorted.length === 0 ? NaN : sum / sorted.length / 1000
  }
  console.log(
    `${name.padEnd(40)} n=${String(summary.count).padStart(7)}  p50 ${us(summary.p50)}  p99 ${us(summary.p99)}  mean ${us(summary.mean)}`
  )
  return summary
}

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB']
  let value = bytes
  let unit = 0
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`
}

function us(value: number): string {
  return `${value.toFixed(2).padStart(9)} µs`
}
