/** The little of `ws` (no @types/ws here) the signalling relay uses as a client. */
declare module 'ws' {
  import type { EventEmitter } from 'node:events';
  export default class WebSocket extends EventEmitter {
    constructor(url: string, options?: { headers?: Record<string, string>; handshakeTimeout?: number; maxPayload?: number; perMessageDeflate?: boolean });
    static readonly OPEN: number;
    readonly readyState: number;
    send(data: string | Buffer): void;
    close(code?: number, reason?: string): void;
    terminate(): void;
  }
}
