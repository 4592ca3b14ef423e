import { createHmac } from 'node:crypto';

/** One entry of an RTCPeerConnection's `iceServers`, as the page passes it on. */
export interface IceServer {
  urls: string[];
  username?: string;
  credential?: string;
}

/** What a client needs to reach the media server through NAT: the `ready` message carries it. */
export interface IceConfig {
  ice_servers: IceServer[];
  /** `relay` makes the client use TURN only (hides its addresses from the server; forced in tests) */
  ice_transport_policy: 'all' | 'relay';
}

export interface IceOptions {
  stunUrls: string[];
  turnUrls: string[];
  /** the `static-auth-secret` shared with the TURN server; required when `turnUrls` is not empty */
  turnSecret: string | undefined;
  /** seconds a TURN credential is good for */
  turnTtlS: number;
  transportPolicy: 'all' | 'relay';
}

/**
 * A time-limited TURN credential in the TURN REST API scheme (draft-uberti-behave-turn-rest, what
 * coturn's `use-auth-secret` checks): username `<expiry unix seconds>:<id>`, password
 * base64(HMAC-SHA1(secret, username)). The TURN server needs no call back: it recomputes the password and
 * refuses the username once its expiry has passed (401).
 */
export function turnCredential(secret: string, id: string, expiresAtS: number): { username: string; credential: string } {
  const username = `${expiresAtS}:${id}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** The ICE configuration for one media connection of session `id`, with a TURN credential minted now. */
export function iceConfigFor(options: IceOptions, id: string, nowMs: number): IceConfig {
  const servers: IceServer[] = [];
  if (options.stunUrls.length > 0) servers.push({ urls: options.stunUrls });
  if (options.turnUrls.length > 0 && options.turnSecret) {
    servers.push({ urls: options.turnUrls, ...turnCredential(options.turnSecret, id, Math.floor(nowMs / 1000) + options.turnTtlS) });
  }
  return { ice_servers: servers, ice_transport_policy: options.transportPolicy };
}

/** A comma-separated list of URLs from the configuration. */
export const urlList = (text: string): string[] =>
  text
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
