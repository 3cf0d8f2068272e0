/**
 * Hot reload of the rules directory. Changes are debounced (editors write a
 * file in several steps), then the whole set is recompiled. A set that
 * compiles is handed to `onReload`; the server swaps its reference, and calls
 * already being routed keep the set they started with. A set that does not
 * compile goes to `onError` and the previous set stays in force.
 */
import { watch } from 'node:fs'
import type { FSWatcher } from 'node:fs'
import type { RuleSet } from '../routing/types.js'
import { loadRuleSet } from './load.js'
import type { LoadResult, RuleError, RulesCatalog } from './types.js'

export interface RulesWatcherOptions {
  dir: string
  /** The names rules may use; a function is asked again on every reload (the server's catalog changes). */
  catalog: RulesCatalog | (() => RulesCatalog)
  /** A new set compiled; make it the current one. */
  onReload: (ruleSet: RuleSet, files: readonly string[]) => void
  /** The files changed but do not compile; the current set stays. */
  onError: (errors: readonly RuleError[]) => void
  /** The files compile to the set already in force (e.g. a refused edit was reverted): nothing is swapped, but no refusal stands. */
  onUnchanged?: (ruleSet: RuleSet) => void
  /** Quiet time after the last change before recompiling; default 200 ms. */
  debounceMs?: number
  now?: () => number
}

export class RulesWatcher {
  private watcher: FSWatcher | null = null
  private timer: NodeJS.Timeout | null = null
  private running: Promise<LoadResult> | null = null
  private again = false
  private currentSet: RuleSet | null = null
  private closed = false

  constructor(private readonly options: RulesWatcherOptions) {}

  /** The set now in force, or null before the first set compiled. */
  get current(): RuleSet | null {
    return this.currentSet
  }

  /**
   * Loads the set once (reporting it through onReload or onError) and starts
   * watching. Resolves with that first result, so start-up can refuse to run
   * without rules.
   */
  async start(): Promise<LoadResult> {
    const first = await this.reload()
    this.watcher = watch(this.options.dir, { persistent: true }, () => this.schedule())
    this.watcher.on('error', (err) => {
      this.options.onError([{ file: '.', line: 0, col: 0, message: `watching the rules directory failed: ${err.message}` }])
    })
    return first
  }

  /** Recompiles now, whether or not files changed (e.g. after the catalog changed). */
  reload(): Promise<LoadResult> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = this.compile().finally(() => {
      this.running = null
      if (this.again) {
        this.again = false
        void this.reload()
      }
    })
    return this.running
  }

  close(): void {
    this.closed = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.watcher?.close()
    this.watcher = null
  }

  private schedule(): void {
    if (!this.watcher) return
    if (this.timer) clearTimeout(this.timer)
    this.timer = setTimeout(() => {
      this.timer = null
      void this.reload()
    }, this.options.debounceMs ?? 200)
  }

  private async compile(): Promise<LoadResult> {
    const { catalog, dir, now } = this.options
    const result = await loadRuleSet(dir, typeof catalog === 'function' ? catalog() : catalog, now ? { now } : {})
    if (this.closed) return result
    if (!result.ok) {
      this.options.onError(result.errors)
    } else if (result.hash !== this.currentSet?.version) {
      this.currentSet = result.ruleSet
      this.options.onReload(result.ruleSet, result.files)
    } else {
      this.options.onUnchanged?.(this.currentSet)
    }
    return result
  }
}
