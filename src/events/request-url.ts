import { isIP } from 'node:net';

/** Where this server itself listens: a request URL must never point there (it would post events to itself). */
export interface SelfAddress {
  /** the public base URL */
  publicUrl: string;
  /** the port the HTTP server is bound to */
  port: number;
}

const LOOPBACK = /^(localhost|localhost\.localdomain|ip6-localhost|127(?:\.\d{1,3}){3}|0\.0\.0\.0|::1?|0:0:0:0:0:0:0:[01])$/i;

const portOf = (u: URL) => Number(u.port || (u.protocol === 'https:' ? 443 : 80));

/**
 * Why a request URL cannot be used, or undefined when it can: it must be an absolute http(s) URL without
 * credentials, and not this server (its public host and port, or a loopback/any address on its port).
 */
export function requestUrlProblem(raw: string, self: SelfAddress): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'request_url is not a valid absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `request_url must use http or https, not ${url.protocol.slice(0, -1)}`;
  if (url.username || url.password) return 'request_url must not carry credentials';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const pub = new URL(self.publicUrl);
  const samePublic = host.toLowerCase() === pub.hostname.replace(/^\[|\]$/g, '').toLowerCase() && portOf(url) === portOf(pub);
  const loopbackHere = (LOOPBACK.test(host) || (isIP(host) === 4 && host.startsWith('127.'))) && portOf(url) === self.port;
  if (samePublic || loopbackHere) return 'request_url points at this openvc server itself';
  return undefined;
}
