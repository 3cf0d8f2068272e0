// A password in a URL's user part: `scheme://user:password@` and `sip:user:password@`. The password runs
// to the last `@` of the URL, so one written with unencoded `@`, `:` or `/` is still masked whole.
const USERINFO = /(\b[a-z][a-z0-9+.-]*:(?:\/\/)?[^\s"'/?#@:]*):[^\s"']*@/gi
// A password given as a parameter: `?password=`, `&sslpassword=`, libpq's `password=… ` keywords, secrets, tokens.
const PARAMETER = /(^|[\s?&;])([a-z_-]*(?:password|passwd|pwd|secret|token)[a-z_-]*=)[^\s&;"'#]*/gi

/** The text with every password it seems to carry (in a URL, as a parameter) replaced by `***`: for messages and logs. */
export function maskSecrets(text: string): string {
  return text.replace(USERINFO, '$1:***@').replace(PARAMETER, '$1$2***')
}
