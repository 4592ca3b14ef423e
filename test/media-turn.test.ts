import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from './helpers/server.js';
import { closeBrowserTest, hasChromium, launchChromium, MeetingPage } from './helpers/browser.js';
import { hasTurnserver, startCoturn, turnAllocate, type Coturn } from './helpers/coturn.js';
import { fixture } from './helpers/fixture.js';
import { turnCredential } from '../src/media/ice-servers.js';

type Json = Record<string, any>;

// Functions passed to page.evaluate run in the page; the test build has no DOM types.
declare const window: any;

const TTL_S = 3600;

/** The selected ICE candidate pair of the page's connection, from getStats(). */
const selectedPair = (p: MeetingPage) =>
  p.page.evaluate(async () => {
    const pc = (window as any).openvc.pc;
    if (!pc) return null;
    const report = await pc.getStats();
    let pair: any;
    report.forEach((r: any) => {
      if (r.type === 'transport' && r.selectedCandidatePairId) pair = report.get(r.selectedCandidatePairId);
    });
    if (!pair) return null;
    const local = report.get(pair.localCandidateId);
    const remote = report.get(pair.remoteCandidateId);
    return { state: pair.state, local: { type: local.candidateType, relayProtocol: local.relayProtocol, url: local.url }, remote: { type: remote.candidateType, address: remote.address }, bytesReceived: pair.bytesReceived };
  });

/** The ICE configuration the page's current RTCPeerConnection runs with. */
const iceConfigOf = (p: MeetingPage) =>
  p.page.evaluate(() => {
    const c = (window as any).openvc.pc?.getConfiguration();
    return c ? JSON.parse(JSON.stringify({ iceServers: c.iceServers, iceTransportPolicy: c.iceTransportPolicy })) : null;
  });

/**
 * NAT traversal through a real TURN server: coturn on this machine with the TURN REST API shared secret,
 * the meeting page forced to relay only (`mediaIceTransportPolicy: relay`). Media must then flow
 * browser → coturn → the SFU's host candidate and back; getStats() shows the relay pair.
 */
describe.skipIf(!hasChromium || !hasTurnserver)('media through TURN (coturn, relay only)', () => {
  let s: TestServer;
  let browser: Browser;
  let turn: Coturn;
  const pages: MeetingPage[] = [];

  beforeAll(async () => {
    [turn, browser] = await Promise.all([startCoturn(), launchChromium()]);
    s = await startTestServer({ config: { mediaTurnUrls: `turn:127.0.0.1:${turn.port}?transport=udp`, mediaTurnSecret: turn.secret, mediaTurnTtl: TTL_S, mediaIceTransportPolicy: 'relay' } });
  });
  afterAll(async () => {
    await closeBrowserTest(pages, browser, s);
    await turn?.stop();
  });

  it('coturn grants a fresh credential and refuses one past its time, or signed with another secret (401)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const fresh = turnCredential(turn.secret, 'probe', now + 60);
    expect(await turnAllocate(turn.port, fresh.username, fresh.credential)).toBe(0);
    const expired = turnCredential(turn.secret, 'probe', now - 1);
    expect(await turnAllocate(turn.port, expired.username, expired.credential)).toBe(401);
    const forged = turnCredential('not-the-secret-of-this-server', 'probe', now + 60);
    expect(await turnAllocate(turn.port, forged.username, forged.credential)).toBe(401);
  });

  it('two pages forced to relay-only decode each other\'s video over a relay candidate pair', async () => {
    const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const token = (await s.runtime.tokens.issueUserTokens(app, 'alice', app.scopes, 'v1', Date.now())).accessToken;
    const res = await fetch(`${s.url}/client/v1/meetings`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ topic: 'Through TURN' }) });
    const no = ((await res.json()) as Json).data.meeting.meeting_no as string;
    const before = Math.floor(Date.now() / 1000);
    for (const user of ['alice', 'bob']) {
      const p = await MeetingPage.open(browser, s.url, no, user);
      await p.join();
      pages.push(p);
    }
    const [alice, bob] = pages as [MeetingPage, MeetingPage];
    await alice.waitForVideo(['u:bob'], { minFrames: 5, timeoutMs: 30_000 });
    await bob.waitForVideo(['u:alice'], { minFrames: 5, timeoutMs: 30_000 });
    const after = Math.floor(Date.now() / 1000);
    for (const p of pages) {
      const pair = await selectedPair(p);
      expect(pair, p.userId).toMatchObject({ state: 'succeeded', local: { type: 'relay', relayProtocol: 'udp', url: `turn:127.0.0.1:${turn.port}?transport=udp` }, remote: { type: 'host' } });
      // The credential was minted for this session when its media connected: `<expiry>:<session_id>`.
      const config = await iceConfigOf(p);
      expect(config.iceTransportPolicy).toBe('relay');
      const [server] = config.iceServers as Json[];
      const [expiry, id] = String(server!.username).split(':');
      expect(id).toBe((await p.state()).sessionId);
      // coturn's own log names the allocation made with it (its output may come a little later).
      for (let i = 0; !turn.log.join('').includes(`user <${server!.username}>`); i++) {
        if (i === 100) expect(turn.log.join('')).toContain(`user <${server!.username}>`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(Number(expiry)).toBeGreaterThanOrEqual(before + TTL_S);
      expect(Number(expiry)).toBeLessThanOrEqual(after + TTL_S);
    }
  }, 120_000);

  it('a page whose media reconnects gets a newly minted credential and relays again', async () => {
    const [alice, bob] = pages as [MeetingPage, MeetingPage];
    const old = String(((await iceConfigOf(bob)).iceServers as Json[])[0]!.username);
    const oldPc = await bob.page.evaluateHandle(() => (window as any).openvc.pc);
    // Later than the first one by at least a second: a later expiry shows it was minted anew.
    await new Promise((r) => setTimeout(r, 1100));
    await bob.page.evaluate(() => (window as any).openvc.ws.close());
    await bob.page.waitForFunction((pc) => (window as any).openvc.pc !== pc && (window as any).openvc.pc?.connectionState === 'connected', oldPc, { timeout: 30_000 });
    const fresh = String(((await iceConfigOf(bob)).iceServers as Json[])[0]!.username);
    expect(Number(fresh.split(':')[0])).toBeGreaterThan(Number(old.split(':')[0]));
    const frames = (await alice.inboundVideo()).find((v) => v.participant_key === 'u:bob')?.framesDecoded ?? 0;
    await alice.waitForVideo(['u:bob'], { minFrames: frames + 5, timeoutMs: 30_000 });
    await bob.waitForVideo(['u:alice'], { minFrames: 5, timeoutMs: 30_000 });
    expect(await selectedPair(bob)).toMatchObject({ local: { type: 'relay' } });
  }, 120_000);

  it('a page handed an expired TURN credential says the relay refused it, gets a fresh one by reconnecting, and the others\' call goes on meanwhile', async () => {
    const alice = pages[0]!;
    const no = (await alice.state()).meeting.meeting_no;
    const carol = await MeetingPage.open(browser, s.url, no, 'member00');
    pages.push(carol);
    // The signalling socket passes through the test, which ages the first credential the server mints.
    let aged = false;
    await carol.page.routeWebSocket(/\/rtc$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((m) => server.send(m));
      server.onMessage((m) => {
        const msg = JSON.parse(String(m)) as Json;
        if (msg.type === 'ready' && !aged) {
          aged = true;
          const turnServer = (msg.ice_servers as Json[]).find((x) => String(x.urls[0]).startsWith('turn:'))!;
          Object.assign(turnServer, turnCredential(turn.secret, msg.session_id as string, Math.floor(Date.now() / 1000) - 60));
        }
        ws.send(JSON.stringify(msg));
      });
    });
    // What the page's media line says, every change of it.
    await carol.page.evaluate(() => {
      const line = (window as any).document.getElementById('media-line');
      (window as any).mediaLines = [];
      new (window as any).MutationObserver(() => (window as any).mediaLines.push(line.textContent)).observe(line, { childList: true, characterData: true, subtree: true });
    });
    await carol.join();
    await carol.until((st) => st.errors.some((e: Json) => e.code === 'turn_refused'), 30_000);
    expect(await carol.page.evaluate(() => (window as any).mediaLines)).toContainEqual(expect.stringContaining('the relay server refused this connection\'s credential'));
    const frames = (await alice.inboundVideo()).find((v) => v.participant_key === 'u:bob')?.framesDecoded ?? 0;
    await alice.waitForVideo(['u:bob'], { minFrames: frames + 10 });
    // The failed connection is replaced, and the new one brings a fresh credential: carol's video arrives.
    await alice.waitForVideo(['u:member00'], { minFrames: 5, timeoutMs: 60_000 });
    expect(await selectedPair(carol)).toMatchObject({ local: { type: 'relay' } });
  }, 120_000);
});
