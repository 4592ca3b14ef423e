import type { App } from '../../store/repositories/app.repository.js';

/** Enough for any real callback; a registered URI is echoed into every authorize page and code row. */
export const REDIRECT_URI_MAX = 2048;
/** An app registers a handful of callbacks (dev, staging, production …), not a catalogue. */
export const REDIRECT_URIS_PER_APP = 20;

/** The meeting page (`/j/<no>`) and the recording player's callback: sign-ins the server runs for itself. */
const SERVER_PAGE = /^\/(?:j\/[0-9]{9}|minutes\/callback)$/;

/**
 * Why `uri` cannot be registered, or undefined: an absolute http(s) URL without a fragment (RFC 6749
 * §3.1.2) or credentials. Matching is by exact string, so nothing is normalised: what is registered is
 * what the authorize request and the token exchange must send.
 */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length === 0 || uri.length > REDIRECT_URI_MAX) return `a redirect URI has 1–${REDIRECT_URI_MAX} characters`;
  if (/\s/.test(uri)) return 'a redirect URI has no white space';
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `${uri} is not an absolute URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${uri} must be http(s)`;
  if (uri.includes('#')) return `${uri} must not have a fragment`;
  if (url.username || url.password) return `${uri} must not carry credentials`;
  return undefined;
}

/**
 * The server's own sign-in pages, under its public URL: every app may send a code there, because the
 * code lands in this server's page and only this server redeems it (as a page credential, never as an
 * Open API token: TokenService.exchangePageCode).
 */
export function isServerPage(uri: string, publicUrl: string): boolean {
  return uri.startsWith(publicUrl + '/') && SERVER_PAGE.test(uri.slice(publicUrl.length));
}

/** Where the authorize page may send `app`'s codes: a registered URI (exact string) or a server page. */
export function redirectAllowed(app: App, uri: string, publicUrl: string): boolean {
  return app.redirectUris.includes(uri) || isServerPage(uri, publicUrl);
}
