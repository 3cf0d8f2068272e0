/**
 * Messages per minute per key (a visitor, an IP address): a token bucket per key, full at the
 * limit and refilled evenly over the minute. A key over its limit is refused at once; other keys
 * are not touched, so one visitor's flood slows nobody else. Buckets idle for long are forgotten.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>()

  constructor(private readonly now: () => number) {}

  /** True when the key may send one more message now (and counts it). */
  take(key: string, perMinute: number): boolean {
    const now = this.now()
    const bucket = this.buckets.get(key) ?? { tokens: perMinute, at: now }
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((now - bucket.at) * perMinute) / 60_000)
    bucket.at = now
    this.buckets.set(key, bucket)
    if (this.buckets.size > 100_000) this.forgetIdle(now)
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  /** Seconds until the key may send again. */
  retryAfterSeconds(key: string, perMinute: number): number {
    const bucket = this.buckets.get(key)
    if (!bucket) return 0
    // Counted from now: the bucket has refilled since it was last taken from.
    const tokens = Math.min(perMinute, bucket.tokens + ((this.now() - bucket.at) * perMinute) / 60_000)
    if (tokens >= 1) return 0
    return Math.ceil(((1 - tokens) * 60) / perMinute)
  }

  private forgetIdle(now: number): void {
    for (const [key, bucket] of this.buckets) if (now - bucket.at > 60_000) this.buckets.delete(key)
  }
}
