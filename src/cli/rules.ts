/**
 * `rules check [dir]`, `rules test [dir]` and `rules preview <dir>`: admin commands for the routing
 * rules files. Exit code 0 when fine, 1 on mistakes, failed tests or too many changed calls, 2 on bad usage.
 */
import { runPreviewCommand } from '../preview/command.js'
import { runRulesCommand } from '../rules/commands.js'

const argv = process.argv.slice(2)
const io = { out: (line: string) => process.stdout.write(`${line}\n`), cwd: process.cwd() }
const code = argv[0] === 'preview' ? await runPreviewCommand(argv.slice(1), io) : await runRulesCommand(argv, io)
process.exitCode = code
