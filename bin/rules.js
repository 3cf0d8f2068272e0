#!/usr/bin/env node
// Launcher for the `rules` command: registers the TypeScript loader, then runs the CLI.
import 'tsx'

await import('../src/cli/rules.ts')
