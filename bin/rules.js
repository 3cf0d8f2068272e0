#!/usr/bin/env node
// Launcher for the `rules` command: the same as `cti rules …`.
process.argv.splice(2, 0, 'rules')
await import('./cti.js')
