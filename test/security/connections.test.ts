import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { requestFrom } from '../helpers/source-address.js';

/** Connection hygiene (issue 14 item 5, docs/operations.md): slow and greedy clients are cut off. */
const HEADERS_MS = 800;
const REQUEST_MS = 1500;
const KEEP_ALIVE_MS = 600;
const CHECK_MS = 100;
/** Two busy cores: a close may come this much after its deadline (still short of Node's defaults: keep-alive 5 s, headers 60 s). */
const SLACK_MS = 3000;

interface Conn {
  socket: Socket;
  /** resolves with ms from open to close and what the server said before it closed */
  closed: Promise<{ ms: number; data: string }>;
}

function open(port: number, localAddress = '127.0.0.1'): Promise<Conn> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = connect({ port, host: '127.0.0.1', localAddress });
    let data = '';
    socket.on('data', (d: Buffer) => (data += d.toString('utf8')));
    const closed = new Promise<{ ms: number; data: string }>((done) => socket.on('close', () => done({ ms: performance.now() - started, data })));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', (e) => (socket.connecting ? reject(e) : undefined));
  });
}

describe('connection hygiene', () => {
  let s: TestServer;
  let port: number;
  beforeAll(async () => {
    s = await startTestServer({
      seed: null,
      config: { headersTimeout: HEADERS_MS, requestTimeout: REQUEST_MS, keepAliveTimeout: KEEP_ALIVE_MS, connectionCheckInterval: CHECK_MS },
    });
    port = Number(new URL(s.url).port);
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('closes a client that sends half a header within headersTimeout', async () => {
    const c = await open(port);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const { ms, data } = await c.closed;
    expect(ms).toBeGreaterThanOrEqual(HEADERS_MS - CHECK_MS);
    expect(ms).toBeLessThan(HEADERS_MS + CHECK_MS + SLACK_MS);
    expect(data).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a client that stalls in its body within requestTimeout', async () => {
    const c = await open(port);
    c.socket.write('POST /open-apis/auth/v3/tenant_access_token/internal HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"app_id":');
    const { ms, data } = await c.closed;
    expect(ms).toBeGreaterThanOrEqual(REQUEST_MS - CHECK_MS);
    expect(ms).toBeLessThan(REQUEST_MS + CHECK_MS + SLACK_MS);
    expect(data).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes an idle keep-alive connection after keepAliveTimeout', async () => {
    const c = await open(port);
    c.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const { ms, data } = await c.closed;
    expect(data).toMatch(/^HTTP\/1\.1 200/);
    expect(ms).toBeGreaterThanOrEqual(KEEP_ALIVE_MS - CHECK_MS);
    expect(ms).toBeLessThan(KEEP_ALIVE_MS + SLACK_MS);
  });

});

describe('connections per address', () => {
  let s: TestServer;
  let port: number;
  beforeAll(async () => {
    s = await startTestServer({ seed: null, config: { maxConnectionsPerAddress: 3 } });
    port = Number(new URL(s.url).port);
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('refuses connections over the cap at once, and only from that address', async () => {
    // Three idle connections from 127.0.0.7 (headersTimeout is 10 s here: they stay).
    const held: Conn[] = [];
    for (let i = 0; i < 3; i++) held.push(await open(port, '127.0.0.7'));
    const excess = await open(port, '127.0.0.7');
    excess.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    const refused = await excess.closed;
    expect(refused.data).toBe('');
    expect(refused.ms).toBeLessThan(5000);
    // Another address is served meanwhile, and so are the held connections.
    expect((await requestFrom('127.0.0.8', `${s.url}/healthz`)).status).toBe(200);
    held[1]!.socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect((await held[1]!.closed).data).toMatch(/^HTTP\/1\.1 200/);
    // With a connection gone the address may connect again (once the server has seen the close).
    let status = 0;
    for (let tries = 0; tries < 50 && status !== 200; tries++) {
      status = await requestFrom('127.0.0.7', `${s.url}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
    }
    expect(status).toBe(200);
    for (const c of held) c.socket.destroy();
  });
});
