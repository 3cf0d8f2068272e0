/** Items grouped by a name (waits by queue, by customer); a group left empty is dropped. */
export class Groups<T> {
  private readonly map = new Map<string, Set<T>>()

  add(name: string, item: T): void {
    let set = this.map.get(name)
    if (set === undefined) this.map.set(name, (set = new Set()))
    set.add(item)
  }

  delete(name: string, item: T): void {
    const set = this.map.get(name)
    set?.delete(item)
    if (set?.size === 0) this.map.delete(name)
  }

  get(name: string): ReadonlySet<T> | undefined {
    return this.map.get(name)
  }

  size(name: string): number {
    return this.map.get(name)?.size ?? 0
  }

  names(): IterableIterator<string> {
    return this.map.keys()
  }
}
