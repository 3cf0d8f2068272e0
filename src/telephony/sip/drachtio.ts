import DrachtioSrf from 'drachtio-srf'

/**
 * The part of drachtio-srf this adapter uses, typed as the library behaves
 * (its bundled typings lag behind it). Everything drachtio-specific the
 * adapter touches goes through these few interfaces.
 */

/** An incoming SIP request (or one this server sent, for the B leg). */
export interface SrfRequest {
  method: string
  uri: string
  body: string
  /** The whole message as received (absent on requests this server sent). */
  raw?: string
  source_address: string
  source_port: number
  get(name: string): string | undefined
  has(name: string): boolean
  on(event: 'cancel', listener: (cancel: unknown) => void): void
  /** Only for requests this server sent (the B leg): CANCEL it. */
  cancel(callback?: (err: Error | null) => void): void
}

export interface SrfResponse {
  status?: number
  finished?: boolean
  send(status: number, opts?: { headers?: Record<string, string>; body?: string }, callback?: (err: unknown) => void): void
  send(status: number, reason: string, opts?: { headers?: Record<string, string>; body?: string }, callback?: (err: unknown) => void): void
  get(name: string): string | undefined
  body?: string
}

/** An established dialog (either leg of an in-path call). */
export interface SrfDialog {
  id: string
  remote: { sdp: string; uri: string }
  local: { sdp: string }
  connected: boolean
  destroy(opts?: { headers?: Record<string, string> }): Promise<unknown>
  on(event: 'destroy', listener: (req: unknown, reason?: string) => void): void
  /** A REFER in the dialog (an agent's phone's own transfer button); without a listener drachtio-srf answers 200. */
  on(event: 'refer', listener: (req: SrfRequest, res: SrfResponse) => void): void
  /** Sends a re-INVITE with this SDP as the offer; resolves with the far end's answer. */
  modify(sdp: string): Promise<string>
  /** Sends a request in the dialog (NOTIFY, INFO); resolves with the final response. */
  request(opts: { method: string; headers?: Record<string, string>; body?: string }): Promise<SrfResponse>
}

/**
 * What createUAC gives for an INVITE sent without SDP with `noAck`: the far end's offer (in its
 * 200), answered in the ACK by `ack`, or abandoned by `destroy` (ACK then BYE).
 */
export interface SrfLateAnswer {
  sdp: string
  ack(localSdp: string): Promise<SrfDialog>
  destroy(): Promise<void>
}

/** A failure of createUAC: the final SIP status the far end answered with. */
export interface SrfSipError extends Error {
  status?: number
}

export interface SrfConnectOptions {
  host: string
  port: number
  secret: string
  reconnect?: { retryMaxDelay?: number }
  enablePing?: boolean
  pingInterval?: number
}

export interface Srf {
  connect(options: SrfConnectOptions): void
  disconnect(): void
  invite(handler: (req: SrfRequest, res: SrfResponse) => void): void
  options(handler: (req: SrfRequest, res: SrfResponse) => void): void
  on(event: 'connect', listener: (err: Error | null, hostport?: string, serverVersion?: string) => void): void
  on(event: 'reconnecting', listener: (opts: { delay: number; attempt: number }) => void): void
  on(event: 'close' | 'error', listener: (arg?: unknown) => void): void
  removeAllListeners(): void
  createUAS(req: SrfRequest, res: SrfResponse, opts: { localSdp?: string; headers?: Record<string, string> }): Promise<SrfDialog>
  createUAC(
    uri: string,
    opts: { headers?: Record<string, string>; localSdp?: string; callingNumber?: string; callingName?: string },
    progress?: { cbRequest?: (err: Error | null, req: SrfRequest) => void; cbProvisional?: (res: SrfResponse) => void }
  ): Promise<SrfDialog>
  /** An INVITE without SDP (3PCC): a 200 with an offer comes back unacknowledged; one without SDP as a dialog. */
  createUAC(
    uri: string,
    opts: { headers?: Record<string, string>; noAck: true; callingNumber?: string; callingName?: string },
    progress?: { cbRequest?: (err: Error | null, req: SrfRequest) => void; cbProvisional?: (res: SrfResponse) => void }
  ): Promise<SrfLateAnswer | SrfDialog>
}

/** A new drachtio-srf instance, not connected yet. */
export function createSrf(): Srf {
  const Constructor = DrachtioSrf as unknown as new () => Srf
  return new Constructor()
}
