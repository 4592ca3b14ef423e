import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's coturn (`apt-get install coturn`); TURN tests skip, saying so, only when it is missing. */
export const TURNSERVER_PATH = process.env.OPENVC_TURNSERVER ?? '/usr/bin/turnserver';
export const hasTurnserver = existsSync(TURNSERVER_PATH);
export const noTurnserverReason = `TURN tests skipped: no coturn at ${TURNSERVER_PATH} (apt-get install coturn, or set OPENVC_TURNSERVER)`;
if (!hasTurnserver) console.warn(noTurnserverReason);

export interface Coturn {
  /** the UDP (and TCP) port it listens on, on 127.0.0.1 */
  port: number;
  secret: string;
  realm: string;
  /** its log so far (stdout and stderr), for failure messages */
  log: string[];
  stop(): Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });

/**
 * Starts coturn on loopback with the TURN REST API shared secret (`use-auth-secret`), the way
 * docs/operations.md runs it beside openvc, minus what loopback needs changed: it listens and relays on
 * 127.0.0.1 and lets peers on loopback (the media server) be reached. Resolves once it answers STUN.
 */
export async function startCoturn(): Promise<Coturn> {
  const dir = mkdtempSync(join(tmpdir(), 'openvc-coturn-'));
  const port = await freePort();
  const secret = randomBytes(24).toString('hex');
  const realm = 'openvc.test';
  // A relay range of its own per run: several test runs may share the machine.
  const minPort = 20_000 + Math.floor(Math.random() * 400) * 100;
  writeFileSync(
    join(dir, 'turnserver.conf'),
    [
      'listening-ip=127.0.0.1',
      'relay-ip=127.0.0.1',
      `listening-port=${port}`,
      `min-port=${minPort}`,
      `max-port=${minPort + 99}`,
      'use-auth-secret',
      `static-auth-secret=${secret}`,
      `realm=${realm}`,
      'fingerprint',
      'no-tls',
      'no-dtls',
      'no-cli',
      'no-multicast-peers',
      // The media server's candidates are on loopback here; never in production.
      'allow-loopback-peers',
      `pidfile=${join(dir, 'turnserver.pid')}`,
      `userdb=${join(dir, 'turndb')}`,
      'log-file=stdout',
      'simple-log',
      // Logs each allocation with its user: the test reads who relayed.
      'verbose',
      '',
    ].join('\n'),
  );
  const log: string[] = [];
  const child: ChildProcess = spawn(TURNSERVER_PATH, ['-c', join(dir, 'turnserver.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => log.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => log.push(d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`turnserver exited with ${child.exitCode}:\n${log.join('')}`);
    }
    const answer = await stunRequest(port, message(0x0001, [])).catch(() => undefined);
    if (answer?.type === 0x0101) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`turnserver did not answer STUN on 127.0.0.1:${port} within 10 s:\n${log.join('')}`);
    }
  }
  return { port, secret, realm, log, stop };
}

interface StunAnswer {
  type: number;
  attrs: Map<number, Buffer>;
}

const COOKIE = 0x2112a442;
const ATTR = { username: 0x0006, integrity: 0x0008, errorCode: 0x0009, realm: 0x0014, nonce: 0x0015, transport: 0x0019 } as const;

function attr(type: number, value: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
}

/** A STUN message; with `key`, MESSAGE-INTEGRITY (HMAC-SHA1 over the message up to it) is appended. */
function message(type: number, attrs: Buffer[], key?: Buffer): Buffer {
  const body = Buffer.concat(attrs);
  const head = Buffer.alloc(20);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(body.length + (key ? 24 : 0), 2);
  head.writeUInt32BE(COOKIE, 4);
  randomBytes(12).copy(head, 8);
  const msg = Buffer.concat([head, body]);
  return key ? Buffer.concat([msg, attr(ATTR.integrity, createHmac('sha1', key).update(msg).digest())]) : msg;
}

function parse(buf: Buffer): StunAnswer {
  const attrs = new Map<number, Buffer>();
  for (let at = 20; at + 4 <= buf.length; ) {
    const type = buf.readUInt16BE(at);
    const len = buf.readUInt16BE(at + 2);
    attrs.set(type, buf.subarray(at + 4, at + 4 + len));
    at += 4 + len + ((4 - (len % 4)) % 4);
  }
  return { type: buf.readUInt16BE(0), attrs };
}

/** Requests and their answers over one UDP socket (coturn ties a nonce to the client's address and port). */
async function withUdp<T>(use: (request: (port: number, msg: Buffer) => Promise<StunAnswer>) => Promise<T>): Promise<T> {
  const socket = createSocket('udp4');
  const request = (port: number, msg: Buffer) =>
    new Promise<StunAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.removeAllListeners('message');
        reject(new Error('no STUN answer within 1 s'));
      }, 1000);
      socket.once('message', (data) => {
        clearTimeout(timer);
        resolve(parse(data));
      });
      socket.send(msg, port, '127.0.0.1');
    });
  try {
    return await use(request);
  } finally {
    socket.close();
  }
}

const stunRequest = (port: number, msg: Buffer) => withUdp((request) => request(port, msg));

/**
 * A TURN Allocate (UDP) with the long-term credential `username`/`password`, the way a browser makes
 * one: first unauthenticated for the realm and nonce, then signed. Resolves with the STUN error code
 * (401: the credential is refused) or 0 when the allocation was granted.
 */
export function turnAllocate(port: number, username: string, password: string): Promise<number> {
  return withUdp(async (request) => {
    const transport = attr(ATTR.transport, Buffer.from([17, 0, 0, 0]));
    const challenge = await request(port, message(0x0003, [transport]));
    const realm = challenge.attrs.get(ATTR.realm);
    const nonce = challenge.attrs.get(ATTR.nonce);
    if (!realm || !nonce) throw new Error(`coturn sent no realm or nonce (message type 0x${challenge.type.toString(16)})`);
    const key = createHash('md5').update(`${username}:${realm.toString()}:${password}`).digest();
    const answer = await request(port, message(0x0003, [transport, attr(ATTR.username, Buffer.from(username)), attr(ATTR.realm, realm), attr(ATTR.nonce, nonce)], key));
    if (answer.type === 0x0103) return 0;
    const code = answer.attrs.get(ATTR.errorCode);
    if (!code) throw new Error(`unexpected TURN answer 0x${answer.type.toString(16)}`);
    return (code[2]! & 0x07) * 100 + code[3]!;
  });
}
