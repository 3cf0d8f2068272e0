#!/usr/bin/env node
// `cti`: the server's commands, one entry point for the npm scripts, the image and an installed package.
// In a checkout (sources and tsx at hand) it runs the TypeScript sources, so an old build in dist/
// never runs in place of edited code; elsewhere (the image, a production install) the compiled dist/.
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const ROOT = fileURLToPath(new URL('../', import.meta.url))

/** Each command's entry point, as a path under src/ (TypeScript) and dist/ (compiled). */
const COMMANDS = {
  start: { entry: 'main', usage: 'start', about: 'start the server' },
  migrate: { entry: 'cli/migrate', usage: 'migrate', about: 'apply the SQL migrations in sql/ to the database' },
  'demo-load': { entry: 'cli/demo-load', usage: 'demo-load', about: 'load the demo CRM into the running server' },
  rules: { entry: 'cli/rules', usage: 'rules check|test|preview [dir] [options]', about: 'check the routing rules, run their tests, or replay past calls through them' }
}

const USAGE = [
  'usage: cti <command>',
  ...Object.values(COMMANDS).map((c) => `  cti ${c.usage.padEnd(40)} ${c.about}`),
  '  cti help                                     this list'
].join('\n')

const [name] = process.argv.slice(2)
if (name === 'help' || name === '--help' || name === '-h') {
  process.stdout.write(`${USAGE}\n`)
  process.exit(0)
}
const command = name === undefined ? undefined : Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
if (command === undefined) {
  process.stderr.write(`${name === undefined ? 'no command given' : `unknown command '${name}'`}\n${USAGE}\n`)
  process.exit(2)
}

const entry = await entryPoint(command.entry)
if (entry === undefined) {
  process.stderr.write(`cti: cannot run '${name}': neither dist/${command.entry}.js (npm run build) nor src/${command.entry}.ts with tsx (npm install) is here\n`)
  process.exit(1)
}
// The entry point reads its own arguments from process.argv: drop the command's name.
process.argv.splice(2, 1)
await import(pathToFileURL(entry).href)

/** The sources through tsx when both are here, else the compiled file, else undefined. */
async function entryPoint(path) {
  const source = `${ROOT}src/${path}.ts`
  if (existsSync(source) && (await registerTypeScript())) return source
  const compiled = `${ROOT}dist/${path}.js`
  return existsSync(compiled) ? compiled : undefined
}

/** Registers tsx's loader; false when tsx is not installed (a production install leaves it out). */
async function registerTypeScript() {
  try {
    await import('tsx')
    return true
  } catch (err) {
    if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes("'tsx'")) return false
    throw err
  }
}
