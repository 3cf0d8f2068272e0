import { open, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'

/** A journal file this process owns until `release`. */
export interface Slot {
  path: string
  release(): Promise<void>
}

/** Processes sharing one DATA_DIR each take one slot; more than this many at once is a misconfiguration. */
const MAX_SLOTS = 16

/**
 * Takes the first journal slot no live process holds: `<name>.journal`, then
 * `<name>.1.journal`… A lock file beside the journal names the holder's pid; a
 * lock whose process is gone is taken over. With `onlyWithData`, only a slot
 * whose journal still holds lines is taken (recovery at start); null when none is.
 */
export async function claimSlot(dir: string, name: string, o: { onlyWithData: boolean }): Promise<Slot | null> {
  for (let n = 0; n < MAX_SLOTS; n++) {
    const path = join(dir, n === 0 ? `${name}.journal` : `${name}.${n}.journal`)
    if (o.onlyWithData && (await fileSize(path)) === 0) continue
    if (await lock(`${path}.lock`)) return { path, release: () => rm(`${path}.lock`, { force: true }) }
  }
  return null
}

async function lock(lockPath: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const file = await open(lockPath, 'wx')
      await file.write(String(process.pid))
      await file.close()
      return true
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      if (await holderAlive(lockPath)) return false
      // Left by a process that is gone: take it over.
      await rm(lockPath, { force: true })
    }
  }
  return false
}

async function holderAlive(lockPath: string): Promise<boolean> {
  const pid = Number(await readFile(lockPath, 'utf8').catch(() => ''))
  // A lock being written this instant has no pid yet: count it as held.
  if (!Number.isInteger(pid) || pid <= 0) return true
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw err
  }
}
