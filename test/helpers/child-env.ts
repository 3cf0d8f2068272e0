/**
 * The environment for a server or CLI process that a test starts: the test's own environment,
 * the given variables, and coverage switched off.
 *
 * Child processes are left out of coverage on purpose. Whether their coverage reached the report
 * depended on how each process ended (stopped, killed, exited while writing), so the same commit
 * gave 82.5 %, 100 % and 57.7 %. Coverage counts the in-process tests only, and the same commit
 * gives the same figures.
 *
 * tap's process-info hook puts its `--import` back into NODE_OPTIONS of every child spawned,
 * whatever the environment says, so removing it there would change nothing; but a child whose
 * environment has `_TAPJS_PROCESSINFO_COVERAGE_=0` records no coverage. NODE_V8_COVERAGE (Node's
 * own coverage output, set by c8 and the like) is dropped so that Node writes none either.
 */
export function childEnv(variables: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...variables, _TAPJS_PROCESSINFO_COVERAGE_: '0' }
  delete env.NODE_V8_COVERAGE
  return env
}
