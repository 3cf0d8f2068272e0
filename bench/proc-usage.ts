// CPU and memory of another process on this machine, read from /proc: process.cpuUsage() and
// process.memoryUsage() only see the process that calls them.
import { readFileSync } from 'node:fs'

/** USER_HZ: /proc reports CPU times in these ticks, 100 a second on every Linux ABI. */
const TICKS_PER_SECOND = 100

/** CPU seconds (user + system, every thread) the process has used so far. */
export function cpuSeconds(pid: number): number {
  // The command name, in parentheses, may hold spaces: fields are counted after it (utime is the 14th field).
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
}

/** Resident set size of the process now, in bytes. */
export function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))
  if (!line) throw new Error(`no VmRSS for process ${pid}`)
  return Number(line.split(/\s+/)[1]) * 1024
}
