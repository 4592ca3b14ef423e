/**
 * The HTTP requests the server sends to an app's request URL, byte for byte (event-delivery.md §2–§5, §8.2),
 * and the one function that sends them.
 */
import { randomBytes } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Selectable } from 'kysely';
import type { AppEventSettingsTable } from '../store/schema.js';
import type { OutboxRow } from '../store/repositories/outbox.repository.js';
import type { App } from '../store/repositories/app.repository.js';
import { renderEvent, tripleFor } from './event-envelope.js';
import { encrypt, signatureHeaders } from './feishu-crypto.js';

/** Who receives an event and with which secrets. */
export interface DeliveryTarget {
  appId: string;
  tenantKey: string;
  scopes: readonly string[];
  verificationToken: string | null;
  encryptKey: string | null;
}

export interface WebhookRequest {
  body: string;
  headers: Record<string, string>;
}

export interface WebhookResult {
  /** null when no HTTP status arrived (refused, reset, timed out before the headers, bad URL) */
  status: number | null;
  latencyMs: number;
  bodySnippet: string;
  error?: string;
}

/** Connections to receivers are kept alive and reused, as a busy event stream needs. */
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 16 });

/** Feishu waits 1 s for the challenge answer (§2). */
export const CHALLENGE_TIMEOUT_MS = 1000;
/** Enough for any sane answer; a huge body is cut off here rather than read. */
const SNIPPET_BYTES = 2048;

export function deliveryTarget(app: App, settings: Selectable<AppEventSettingsTable>): DeliveryTarget {
  return { appId: app.appId, tenantKey: app.tenantKey, scopes: app.scopes, verificationToken: settings.verification_token, encryptKey: settings.encrypt_key };
}

/**
 * Compact JSON throughout: the SDK verifies the signature over `JSON.stringify` of the body it parsed
 * (§8.1), so the raw bytes must be exactly that re-serialisation. An empty Encrypt Key means none, as in the SDK.
 */
function wireRequest(message: object, encryptKey: string | null, now: number): WebhookRequest {
  const plaintext = JSON.stringify(message);
  const body = encryptKey ? JSON.stringify({ encrypt: encrypt(plaintext, encryptKey) }) : plaintext;
  return { body, headers: { 'Content-Type': 'application/json; charset=utf-8', ...signatureHeaders(body, encryptKey || null, now) } };
}

/** One outbox event as one app receives it. */
export function eventRequest(row: Pick<OutboxRow, 'event_id' | 'event_type' | 'created_at' | 'tenant_key' | 'payload'>, target: DeliveryTarget, now = Date.now()): WebhookRequest {
  const envelope = renderEvent(row, { appId: target.appId, verificationToken: target.verificationToken ?? '' }, tripleFor(target));
  return wireRequest(envelope, target.encryptKey, now);
}

/** The `url_verification` handshake run when a request URL is saved; the challenge is random unless given. */
export function challengeRequest(
  target: Pick<DeliveryTarget, 'verificationToken' | 'encryptKey'>,
  challenge: string = randomBytes(16).toString('hex'),
  now = Date.now(),
): { challenge: string; request: WebhookRequest } {
  const message = { challenge, token: target.verificationToken ?? '', type: 'url_verification' };
  return { challenge, request: wireRequest(message, target.encryptKey, now) };
}

/** The app passed the handshake: HTTP 200 with `{"challenge": <the same value>}` in plaintext. */
export function isChallengeAnswer(challenge: string, result: WebhookResult): boolean {
  if (result.status !== 200 || result.error) return false;
  try {
    const body = JSON.parse(result.bodySnippet) as unknown;
    return typeof body === 'object' && body !== null && (body as { challenge?: unknown }).challenge === challenge;
  } catch {
    return false;
  }
}

/**
 * POSTs one request to the exact URL, never following redirects, and never throws: every failure is a
 * result. `timeoutMs` bounds the whole exchange, connect included.
 */
export function postWebhook(url: string, request: WebhookRequest, timeoutMs: number): Promise<WebhookResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ status: null, latencyMs: 0, bodySnippet: '', error: 'invalid URL' });
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return Promise.resolve({ status: null, latencyMs: 0, bodySnippet: '', error: `unsupported protocol ${target.protocol}` });
  }
  return new Promise((resolve) => {
    let status: number | null = null;
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // `drop`: the connection is in an unknown state (timeout, error, body cut short) and must not be reused.
    const finish = (error?: string, drop = true) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (drop) req.destroy();
      const bodySnippet = Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8');
      resolve({ status, latencyMs: elapsed(), bodySnippet, ...(error ? { error } : {}) });
    };
    const https = target.protocol === 'https:';
    const send = https ? httpsRequest : httpRequest;
    const req = send(target, { method: 'POST', agent: https ? httpsAgent : httpAgent, headers: { ...request.headers, 'Content-Length': String(Buffer.byteLength(request.body)) } }, (res) => {
      status = res.statusCode ?? null;
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        size += c.length;
        if (size >= SNIPPET_BYTES) finish();
      });
      res.on('end', () => finish(undefined, false));
      res.on('error', (e) => finish(e.message));
    });
    const timer = setTimeout(() => finish(`timeout after ${timeoutMs} ms`), timeoutMs);
    req.on('error', (e) => finish(e.message));
    req.end(request.body);
  });
}
