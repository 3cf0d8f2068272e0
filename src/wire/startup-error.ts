/** Raised when start-up cannot proceed (the rules do not compile, a setting is missing); lists what to fix. */
export class StartupError extends Error {
  readonly code = 'CTI_ERR_STARTUP'
}
