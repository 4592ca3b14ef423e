import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Where this server itself listens: a request URL must never point there (it would post events to itself). */
export interface SelfAddress {
  /** the public base URL */
  publicUrl: string;
  /** the port the HTTP server is bound to */
  port: number;
}

const portOf = (u: URL) => Number(u.port || (u.protocol === 'https:' ? 443 : 80));

/**
 * A URL's host in one spelling per address. The URL parser already turns every IPv4 spelling (2130706433,
 * 0x7f.1, 0177.0.0.1, 127.1) into a dotted quad and compresses IPv6; what is left are IPv4 addresses
 * dressed as IPv6 (mapped `::ffff:7f00:1`, translated `::ffff:0:7f00:1`, compatible `::7f00:1`), which
 * reach the IPv4 address, and the trailing dot of a fully qualified name.
 */
export function canonicalHost(hostname: string): string {
  const host = hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (isIP(host) !== 6) return host;
  const groups = ipv6Groups(host);
  const zeros = (from: number, to: number) => groups.slice(from, to).every((g) => g === 0);
  const v4 = `${groups[6]! >> 8}.${groups[6]! & 0xff}.${groups[7]! >> 8}.${groups[7]! & 0xff}`;
  if (zeros(0, 5) && groups[5] === 0xffff) return v4;
  if (zeros(0, 4) && groups[4] === 0xffff && groups[5] === 0) return v4;
  if (zeros(0, 6) && groups[6] !== 0) return v4;
  return host;
}

/** The eight 16-bit groups of a valid IPv6 address (the URL parser has written any embedded IPv4 part in hex). */
function ipv6Groups(host: string): number[] {
  const [head = '', tail] = host.split('::');
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => Number.parseInt(g, 16)) : []);
  const left = part(head);
  const right = part(tail);
  return tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** Names and addresses that reach this machine whatever it is called: loopback, "any", *.localhost (RFC 6761). */
function isThisMachine(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost') || host === 'localhost.localdomain' || host === 'ip6-localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.') || host.startsWith('0.');
  if (host === '::1' || host === '::') return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((i) => canonicalHost(i.address) === host));
}

/**
 * Why a request URL cannot be used, or undefined when it can: it must be an absolute http(s) URL without
 * credentials, and not this server (its public host and port, or any spelling of this machine on its port).
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
  const host = canonicalHost(url.hostname);
  const pub = new URL(self.publicUrl);
  const samePublic = host === canonicalHost(pub.hostname) && portOf(url) === portOf(pub);
  const thisMachine = isThisMachine(host) && portOf(url) === self.port;
  if (samePublic || thisMachine) return 'request_url points at this openvc server itself';
  return undefined;
}
