import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import WebSocket from 'ws';
import { openRuntime, type Runtime } from '../src/app/runtime.js';
import { MediaPlacement, nodeAddressProblem, type PlacementOptions } from '../src/media/placement.js';
import { dialect, startTestServer, TestStore, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';

type Json = Record<string, any>;

// Issue 16, item 1: media placement. Nodes register and heartbeat; a meeting is placed once and moved only
// by compare-and-set; dead, forged and misdirected nodes are refused, logged, and the meeting goes on.

const KEY = Buffer.alloc(32, 7);
const logLines = (lines: string[]) => pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });

describe(`media placement in the store (${dialect})`, () => {
  const store = new TestStore();
  let rt: Runtime;
  const lines: string[] = [];
  const nodes: MediaPlacement[] = [];
  const opts = (id: string, port: number): PlacementOptions => ({ nodeId: id, address: `http://127.0.0.1:${port}`, capacity: 10, heartbeatMs: 100_000, deadMs: 3000, key: KEY });
  beforeAll(async () => {
    await store.prepare();
    rt = await openRuntime(store.config(), { logger: pino({ level: 'silent' }) });
    for (const [i, id] of ['node-a', 'node-b', 'node-c'].entries()) {
      const p = MediaPlacement.cluster(rt.repos.mediaNodes, opts(id, 9001 + i), () => i, logLines(lines));
      await p.start();
      nodes.push(p);
    }
  });
  afterAll(async () => {
    for (const p of nodes) await p.stop();
    await rt.store.close();
    await store.dispose();
  });
  const a = () => nodes[0]!;
  const b = () => nodes[1]!;
  const c = () => nodes[2]!;
  const moved = () => lines.map((l) => JSON.parse(l) as Json).filter((j) => j.msg === 'media: meeting moved to another node');
  const refused = () => lines.map((l) => JSON.parse(l) as Json).filter((j) => j.msg === 'media: refused a node row of the store');

  it('three processes asking at once place a meeting on one node, the least loaded', async () => {
    const answers = await Promise.all([a(), b(), c(), a(), b(), c()].map((p) => p.owner('acme', 'm-race')));
    const nodeOf = (i: number) => {
      const o = answers[i]!;
      return o.local ? ['node-a', 'node-b', 'node-c'][i % 3] : o.node.id;
    };
    expect(new Set(answers.map((_, i) => nodeOf(i)))).toEqual(new Set(['node-a']));
    expect((await rt.repos.mediaNodes.assignment('acme', 'm-race'))).toMatchObject({ node_id: 'node-a', version: 1 });
    // Another tenant's meeting of the same id is its own row.
    expect(await rt.repos.mediaNodes.assignment('other', 'm-race')).toBeUndefined();
  });

  it('a node that stops heartbeating loses its meetings to a live node on their next connection, once', async () => {
    await a().owner('acme', 'm-stale');
    await rt.store.db.updateTable('media_nodes').set({ heartbeat_at: Date.now() - 10_000 }).where('id', '=', 'node-a').execute();
    const [fromB, fromC] = await Promise.all([b().owner('acme', 'm-stale'), c().owner('acme', 'm-stale')]);
    const row = (await rt.repos.mediaNodes.assignment('acme', 'm-stale'))!;
    expect(row.version).toBe(2);
    expect(row.node_id).toBe('node-b');
    expect(fromB).toEqual({ local: true });
    expect(fromC).toMatchObject({ local: false, node: { id: 'node-b' } });
    expect(moved()).toEqual([expect.objectContaining({ meeting_id: 'm-stale', from_node: 'node-a', to_node: 'node-b', reason: expect.stringMatching(/^no heartbeat for \d+ ms$/) })]);
    // A dead node is no candidate for new meetings either (node-a carries none and would be the least loaded).
    expect(await c().owner('acme', 'm-new')).toMatchObject({ local: false, node: { id: 'node-b' } });
    await rt.repos.mediaNodes.heartbeat({ ...(await rt.repos.mediaNodes.node('node-a'))!, heartbeat_at: Date.now() });
  });

  it('a forged node row (an address its node did not sign, a non-http scheme) is refused, logged and never used', async () => {
    const at = Date.now();
    await rt.repos.mediaNodes.heartbeat({ id: 'evil', address: 'http://attacker.example:80', signature: 'x'.repeat(43), capacity: 1000, load: 0, started_at: at, heartbeat_at: at });
    await rt.repos.mediaNodes.assign('acme', 'm-forged', 'evil', at);
    // A real node's row with its address rewritten: the signature no longer matches.
    await rt.store.db.updateTable('media_nodes').set({ address: 'file:///etc/passwd' }).where('id', '=', 'node-c').execute();
    await rt.repos.mediaNodes.assign('acme', 'm-rewritten', 'node-c', at);
    expect(await a().owner('acme', 'm-forged')).toEqual({ local: true });
    expect(await b().owner('acme', 'm-rewritten')).toMatchObject({ local: false, node: { id: 'node-a' } });
    expect(refused().map((j) => [j.node_id, j.reason])).toEqual(
      expect.arrayContaining([
        ['evil', 'its signature does not match (not written by a node of this cluster)'],
        ['node-c', 'its signature does not match (not written by a node of this cluster)'],
      ]),
    );
    expect(moved().filter((j) => j.meeting_id === 'm-forged' || j.meeting_id === 'm-rewritten').map((j) => j.reason)).toEqual(['node row refused', 'node row refused']);
    // The node heals its own row on its next heartbeat.
    await rt.store.db.deleteFrom('media_nodes').where('id', '=', 'evil').execute();
  });

  it('a meeting whose node is gone from the store moves to the least loaded live node', async () => {
    await rt.repos.mediaNodes.assign('acme', 'm-gone', 'never-registered', Date.now());
    expect(await b().owner('acme', 'm-gone')).toMatchObject({ local: false, node: { id: 'node-a' } });
    expect(moved().at(-1)).toMatchObject({ meeting_id: 'm-gone', reason: 'node gone' });
  });

  it('checks addresses before any socket is sent to them', () => {
    expect(nodeAddressProblem('http://10.0.0.5:8080')).toBeUndefined();
    expect(nodeAddressProblem('https://node1.internal/')).toBeUndefined();
    expect(nodeAddressProblem('file:///etc/passwd')).toBe('scheme file: is not http(s)');
    expect(nodeAddressProblem('ws://x:1')).toBe('scheme ws: is not http(s)');
    expect(nodeAddressProblem('http://user:pw@x:1')).toBe('carries credentials');
    expect(nodeAddressProblem('http://x:1/admin')).toBe('has a path');
    expect(nodeAddressProblem('http://x:1/?a=1')).toBe('carries a query or fragment');
    expect(nodeAddressProblem('not a url')).toBe('not a URL');
  });

  it('one process (no cluster) carries every meeting', async () => {
    expect(await MediaPlacement.local(pino({ level: 'silent' })).owner('acme', 'anything')).toEqual({ local: true });
  });
});

describe.runIf(dialect === 'postgres')('signalling sockets across two processes', () => {
  const servers: TestServer[] = [];
  const lines: string[][] = [[], []];
  let token = '';
  beforeAll(async () => {
    const first = await startTestServer({ logger: logLines(lines[0]!) });
    servers.push(first, await startTestServer({ store: first.store, seed: null, logger: logLines(lines[1]!) }));
    const app = (await first.runtime.repos.apps.find(fixture.acme.full.appId))!;
    token = (await first.runtime.tokens.issueUserTokens(app, 'alice', app.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    for (const s of servers) await s.close();
    await servers[0]?.store.dispose();
  });

  const startMeeting = async (): Promise<{ meetingId: string; sessionId: string }> => {
    const res = await fetch(`${servers[0]!.url}/client/v1/meetings`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'placement' }) });
    const body = (await res.json()) as Json;
    return { meetingId: body.data.meeting.id, sessionId: body.data.session_id };
  };
  /** Opens the signalling socket at a server, says hello, and collects messages until `done` or a close. */
  const talk = (url: string, sessionId: string, headers: Record<string, string> = {}, done = (m: Json[]) => m.some((x) => x.type === 'ready')) =>
    new Promise<{ messages: Json[]; close?: number }>((resolve) => {
      const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/client/v1/sessions/${sessionId}/rtc`, { headers });
      const messages: Json[] = [];
      const timer = setTimeout(() => ws.terminate(), 15_000);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', access_token: token })));
      ws.on('message', (d: Buffer) => {
        messages.push(JSON.parse(d.toString()) as Json);
        if (done(messages)) {
          clearTimeout(timer);
          ws.close();
          resolve({ messages });
        }
      });
      ws.on('close', (code: number) => {
        clearTimeout(timer);
        resolve({ messages, close: code });
      });
      ws.on('error', () => undefined);
    });
  const nodeId = (i: number) => servers[i]!.runtime.media.placement.nodeId!;

  it('a socket that lands on a process not carrying the meeting is relayed to its node', async () => {
    const { meetingId, sessionId } = await startMeeting();
    await servers[0]!.runtime.repos.mediaNodes.assign('acme', meetingId, nodeId(0), Date.now());
    const got = await talk(servers[1]!.url, sessionId);
    expect(got.messages.find((m) => m.type === 'ready')).toMatchObject({ session_id: sessionId, meeting_id: meetingId });
    expect(lines[1]!.some((l) => l.includes("media: signalling relayed to the meeting's node") && l.includes(sessionId))).toBe(true);
    expect(lines[0]!.some((l) => l.includes('media: peer connected') && l.includes(sessionId))).toBe(true);
  });

  it("a meeting's assignment ends with the meeting", async () => {
    const { meetingId, sessionId } = await startMeeting();
    await talk(servers[1]!.url, sessionId);
    expect(await servers[0]!.runtime.repos.mediaNodes.assignment('acme', meetingId)).toBeDefined();
    // The owner ends it through the Open API on the other process.
    const res = await fetch(`${servers[1]!.url}/open-apis/vc/v1/meetings/${meetingId}/end`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(((await res.json()) as Json).code).toBe(0);
    expect((await servers[0]!.runtime.repos.meetings.find('acme', meetingId))?.status).toBe(3);
    expect(await servers[0]!.runtime.repos.mediaNodes.assignment('acme', meetingId)).toBeUndefined();
  });

  it('a socket for a meeting whose node is gone moves the meeting to a live node and is served', async () => {
    const { meetingId, sessionId } = await startMeeting();
    await servers[0]!.runtime.repos.mediaNodes.assign('acme', meetingId, 'dead-node', Date.now());
    const got = await talk(servers[1]!.url, sessionId);
    expect(got.messages.some((m) => m.type === 'ready')).toBe(true);
    expect((await servers[0]!.runtime.repos.mediaNodes.assignment('acme', meetingId))?.node_id).toBe(nodeId(1));
    expect(lines[1]!.some((l) => l.includes('media: meeting moved to another node') && l.includes(meetingId))).toBe(true);
  });

  it('a relayed socket meant for another node, or for a meeting this node does not carry, is refused with 4421 and logged', async () => {
    const { meetingId, sessionId } = await startMeeting();
    await servers[0]!.runtime.repos.mediaNodes.assign('acme', meetingId, nodeId(0), Date.now());
    // The balancer (or a page) sends a "relayed" socket to the wrong process.
    const wrongNode = await talk(servers[1]!.url, sessionId, { 'x-openvc-relay': nodeId(0), 'x-openvc-node': nodeId(0) });
    expect(wrongNode.close).toBe(4421);
    expect(lines[1]!.some((l) => l.includes('media: relayed socket meant for another node'))).toBe(true);
    const notCarried = await talk(servers[1]!.url, sessionId, { 'x-openvc-relay': nodeId(0), 'x-openvc-node': nodeId(1) });
    expect(notCarried.close).toBe(4421);
    expect(lines[1]!.some((l) => l.includes('media: relayed socket reached a node that does not carry the meeting'))).toBe(true);
    // The meeting goes on: a plain socket still gets through.
    expect((await talk(servers[1]!.url, sessionId)).messages.some((m) => m.type === 'ready')).toBe(true);
  });

  it('a bad hello is refused as on one process, without placing the meeting', async () => {
    const { meetingId, sessionId } = await startMeeting();
    const ws = await new Promise<number>((resolve) => {
      const s = new WebSocket(`${servers[1]!.url.replace(/^http/, 'ws')}/client/v1/sessions/${sessionId}/rtc`);
      s.on('open', () => s.send(JSON.stringify({ type: 'hello', access_token: 'u-forged' })));
      s.on('close', (code: number) => resolve(code));
      s.on('error', () => undefined);
    });
    expect(ws).toBe(4401);
    expect(await servers[0]!.runtime.repos.mediaNodes.assignment('acme', meetingId)).toBeUndefined();
  });
});
