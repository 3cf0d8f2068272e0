/**
 * `rules check [dir]` and `rules test [dir]`: admin commands for the routing
 * rules files. Exit code 0 when fine, 1 on mistakes or failed tests, 2 on bad usage.
 */
import { runRulesCommand } from '../rules/commands.js'

const code = await runRulesCommand(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  cwd: process.cwd(),
})
process.exitCode = code
