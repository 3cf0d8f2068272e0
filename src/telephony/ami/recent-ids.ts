/** A bounded memory of ids seen lately (calls ended, channels hung up), to tell a duplicate from an unknown. */
export class RecentIds {
  private readonly ids = new Set<string>()

  constructor(private readonly max = 10_000) {}

  add(id: string): void {
    this.ids.delete(id)
    this.ids.add(id)
    if (this.ids.size > this.max) this.ids.delete(this.ids.values().next().value as string)
  }

  has(id: string): boolean {
    return this.ids.has(id)
  }
}
