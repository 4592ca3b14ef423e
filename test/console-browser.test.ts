import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { createServer } from 'node:http';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openRuntime } from '../src/app/runtime.js';
import { simulateHistory } from '../src/simulate/history.js';
import { resolveTarget } from '../src/simulate/target.js';
import { closeBrowserTest, hasChromium, launchChromium } from './helpers/browser.js';
import { FIXTURE_PASSWORD, fixture, fixtureSeedWithAdmin } from './helpers/fixture.js';
import { TestStore, startTestServer, type TestServer } from './helpers/server.js';
import { signIn } from './helpers/sign-in.js';
import { ok } from './helpers/sdk.js';
import { sheetOf } from './helpers/exports.js';
import { closeLocal, listenLocal } from './helpers/local-http.js';
import { FileCapture } from './helpers/recording.js';

type Json = Record<string, any>;
const SHOTS = '/tmp/console-shots';
const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);

describe.skipIf(!hasChromium)('admin console in Chromium', () => {
  const store = new TestStore();
  let s: TestServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const tokens: Record<string, string> = {};
  const now = Date.now();
  const historyFrom = now - 6 * DAY;
  const capture = new FileCapture();

  /** A participant-protocol call with a user token: what a client SDK script does. */
  const clientCall = async (user: string, method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as Json;
    expect(json.code, JSON.stringify(json)).toBe(0);
    return json.data as Json;
  };

  /** A browser context signed in as `user` through the sign-in page, at a size (and in a time zone). */
  async function signedInPage(user: string, viewport = { width: 1280, height: 800 }, timezoneId?: string): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'en-US', ...(timezoneId ? { timezoneId } : {}) });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${s.url}/admin`);
    await page.waitForURL(/\/signin\?/);
    await page.fill('input[name=tenant]', 'acme');
    await page.fill('input[name=login]', user);
    await page.fill('input[name=password]', FIXTURE_PASSWORD);
    await page.click('#signin-submit');
    return page;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    await store.prepare();
    const rt = await openRuntime(store.config(), { logger: pino({ level: 'silent' }) });
    await rt.repos.directory.applySeed(fixtureSeedWithAdmin());
    await simulateHistory(rt, await resolveTarget(rt, { tenant: 'acme' }), { meetings: 12, participants: 5, from: historyFrom, to: now - DAY, seed: 11 });
    await rt.store.close();
    s = await startTestServer({ store, seed: null, capture, config: { rateLimit: false, recordingCloseWait: 1 } });
    const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    for (const name of ['alice', 'bob', 'member00']) tokens[name] = (await s.runtime.tokens.issueUserTokens(acme, name, acme.scopes, 'v1', Date.now())).accessToken;
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await closeBrowserTest(contexts, browser, s);
    await store.dispose();
  });

  it('an administrator signs in and sees charts drawn from the simulated history, each downloadable', async () => {
    const page = await signedInPage('alice');
    await page.waitForURL(/\/admin$/);
    await page.goto(`${s.url}/admin?from=${isoDay(historyFrom - DAY)}&to=${isoDay(now)}`);
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.drawn !== undefined);
    expect(await page.getAttribute('body', 'data-drawn')).not.toBe('error');
    // usage, device mix, network mix and three quality charts are uPlot canvases; top users a table
    expect(await page.locator('.uplot canvas').count()).toBeGreaterThanOrEqual(6);
    expect(await page.locator('#chart-top tbody tr').count()).toBeGreaterThan(0);
    const data = (await (await page.request.get(`${s.url}/admin/api/dashboard?from=${isoDay(historyFrom - DAY)}&to=${isoDay(now)}`)).json()) as Json;
    expect(data.data.days.reduce((n: number, d: Json) => n + d.meetings, 0)).toBe(12);
    expect(data.data.devices.length).toBeGreaterThan(1);
    expect(data.data.quality.some((q: Json) => q.samples > 0 && q.jitter.p50 !== null)).toBe(true);
    // the legend names what is under the pointer: the device kind of a bar, the day of a point
    const legendOf = async (card: string) => {
      const first = page.locator(`#chart-${card} .u-legend .u-series`).first();
      return `${await first.locator('.u-label').textContent()}: ${await first.locator('.u-value').textContent()}`;
    };
    const over = await page.locator('#chart-devices .u-over').boundingBox();
    await page.mouse.move(over!.x + over!.width / (2 * data.data.devices.length), over!.y + over!.height / 2);
    expect(await legendOf('devices')).toBe(`Kind: ${data.data.devices[0].kind}`);
    const usage = await page.locator('#chart-usage .u-over').boundingBox();
    await page.mouse.move(usage!.x + usage!.width / 2, usage!.y + usage!.height / 2);
    expect(await legendOf('usage')).toMatch(/^Date: \d{4}-\d{2}-\d{2}$/);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: `${SHOTS}/dashboard-1280.png`, fullPage: true });

    const href = await page.getAttribute('#chart-usage a.download', 'href');
    const xlsx = await page.request.get(`${s.url}${href}`);
    expect(xlsx.status()).toBe(200);
    const sheet = await sheetOf(Buffer.from(await xlsx.body()));
    expect(sheet.rows[0]).toEqual(['Date', 'Meetings', 'Participants', 'Minutes']);
    expect(sheet.rows.slice(1).reduce((n, r) => n + Number(r[1]), 0)).toBe(12);

    // Chinese, and a phone
    await page.click('#lang');
    await page.waitForFunction(() => (globalThis as any).document.documentElement.lang === 'zh-CN');
    expect(await page.textContent('#h-usage')).toContain('每日会议数');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.drawn !== undefined);
    await page.screenshot({ path: `${SHOTS}/dashboard-phone-zh.png`, fullPage: true });
    await page.click('#lang');
  });

  it('refuses huge and malformed ranges with a clear message', async () => {
    const cookie = await signIn(s.url, 'acme', 'alice');
    const get = async (q: string) => (await (await fetch(`${s.url}/admin/api/dashboard?${q}`, { headers: { cookie } })).json()) as Json;
    expect(await get('from=2020-01-01&to=2024-01-01')).toMatchObject({ code: 121003, msg: expect.stringContaining('at most 366') });
    expect(await get('from=2024-02-30&to=2024-03-01')).toMatchObject({ code: 121003, msg: expect.stringContaining('no date') });
    expect(await get('from=2024-03-02&to=2024-03-01')).toMatchObject({ code: 121003, msg: expect.stringContaining('ends before') });
  });

  it("opens on today: the dashboard on the server's report day, the room calendar on the browser's own date", async () => {
    const client = s.client(fixture.acme.full);
    const level = await ok(client.vc.roomLevel.create({ data: { name: 'Shanghai office', parent_id: '0' } }));
    const room = await ok(client.vc.room.create({ data: { name: 'Bund', capacity: 6, room_level_id: level.room_level!.room_level_id! } }));
    // A browser in Shanghai at 01:30 on Monday 7 December, when it is still Sunday in UTC: a fixed instant,
    // so that the page's "today" is the same whenever the test runs.
    const page = await signedInPage('alice', undefined, 'Asia/Shanghai');
    await page.waitForURL(/\/admin$/);
    await page.clock.setFixedTime(new Date('2026-12-06T17:30:00Z'));
    await page.goto(`${s.url}/admin`);
    await page.waitForFunction(() => (globalThis as any).document.body.dataset.drawn !== undefined);
    // report days begin at 00:00 UTC+8: the last 30 of them end with Monday's
    expect([await page.inputValue('#range input[name=from]'), await page.inputValue('#range input[name=to]')]).toEqual(['2026-11-08', '2026-12-07']);
    await page.goto(`${s.url}/admin/rooms?room=${room.room!.room_id!}`);
    await page.waitForSelector('#calendar .day');
    expect(await page.inputValue('#cal-date')).toBe('2026-12-07');
    // the week shown is the one that holds the browser's Monday, and begins with it
    expect(await page.getAttribute('#calendar .day >> nth=0', 'data-day')).toBe('2026-12-07');
  });

  it('shows a live meeting an SDK script started, updates without reload, and ends it', async () => {
    const page = await signedInPage('alice');
    await page.waitForURL(/\/admin$/);
    await page.goto(`${s.url}/admin/live`);
    await page.waitForSelector('#no-live, section.meeting');
    const a = await clientCall('bob', 'POST', '/client/v1/meetings', { topic: 'Console review', device: { type: 'web', network_type: 'wifi', os: 'Linux' } });
    const id = a.meeting.id as string;
    const card = `section.meeting[data-meeting="${id}"]`;
    await page.waitForSelector(card);
    await clientCall('member00', 'POST', '/client/v1/meetings/join', { meeting_no: a.meeting.meeting_no });
    await page.waitForSelector(`${card} tr[data-participant="u:member00"]`);

    // make member00 host, then remove them: both through the meeting rules
    await page.click(`${card} tr[data-participant="u:member00"] button.make-host`);
    await page.waitForSelector(`${card} tr[data-participant="u:member00"] .tag`);
    await page.click(`${card} tr[data-participant="u:member00"] button.kick`);
    await page.waitForSelector(`${card} tr[data-participant="u:member00"]`, { state: 'detached' });
    await page.screenshot({ path: `${SHOTS}/live-1280.png`, fullPage: true });

    await page.click(`${card} button.end`);
    await page.waitForSelector(card, { state: 'detached' });
    const client = s.client(fixture.acme.full);
    const got = await ok(client.vc.meeting.get({ path: { meeting_id: id } }));
    expect(got.meeting?.status).toBe(3);

    // a stale page acting on the ended meeting is refused with the rule's message, nothing changes
    const cookie = await signIn(s.url, 'acme', 'alice');
    const again = await fetch(`${s.url}/admin/api/meetings/${id}/end`, { method: 'POST', headers: { cookie, 'content-type': 'application/json' }, body: '{}' });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ code: 122001 });
  });

  it('records a live meeting from the console, plays it, shares it, composes it again and deletes it', async () => {
    const a = await clientCall('bob', 'POST', '/client/v1/meetings', { topic: 'Recorded review' });
    const id = a.meeting.id as string;
    capture.plans.set(id, [{ kind: 'video', participantKey: 'u:bob', offsetMs: 0, seconds: 1 }]);
    const page = await signedInPage('alice');
    await page.waitForURL(/\/admin$/);
    await page.goto(`${s.url}/admin/live`);
    const card = `section.meeting[data-meeting="${id}"]`;
    await page.click(`${card} button.record`);
    await page.waitForSelector(`${card} .tag.rec`);
    await page.click(`${card} button.record`);
    await page.waitForSelector(`${card} .tag.rec`, { state: 'detached' });

    await page.goto(`${s.url}/admin/recordings`);
    const row = (await s.runtime.repos.recordings.ofMeeting('acme', id))[0]!;
    const tr = `tr[data-recording="${row.id}"]`;
    await page.waitForSelector(`${tr}[data-status=ready]`, { timeout: 30_000 });
    expect(await page.textContent('#storage')).toMatch(/Storage used: \d+ KB/);
    await page.click(`${tr} details summary`);
    await page.waitForFunction((sel) => ((globalThis as any).document.querySelector(sel)?.readyState ?? 0) >= 1, `${tr} video`);

    await page.check(`${tr} input[name=tenant]`);
    await page.waitForSelector('#status .msg.ok');
    expect((await s.runtime.repos.recordings.grants('acme', id)).map((g) => g.kind)).toEqual(['tenant']);
    await page.screenshot({ path: `${SHOTS}/recordings-1280.png`, fullPage: true });

    await page.click(`${tr} button.compose`);
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#status')?.textContent.includes('Composing again'));
    await page.waitForSelector(`${tr}[data-status=ready]`, { timeout: 30_000 });

    page.once('dialog', (d) => void d.accept());
    await page.click(`${tr} button.delete`);
    await page.waitForSelector(tr, { state: 'detached' });
    expect(await s.runtime.repos.recordings.byId(row.id)).toBeUndefined();
    expect(existsSync(dirname(row.raw_dir))).toBe(false);
    const alice = await signIn(s.url, 'acme', 'alice');
    const again = await fetch(`${s.url}/admin/api/recordings/${row.id}/delete`, { method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' }, body: '{}' });
    expect([again.status, ((await again.json()) as Json).code]).toEqual([404, 121004]);
  });

  it('books a room on the week calendar and disables it', async () => {
    const client = s.client(fixture.acme.full);
    const level = await ok(client.vc.roomLevel.create({ data: { name: 'HQ', parent_id: '0' } }));
    const room = await ok(client.vc.room.create({ data: { name: 'Lake', capacity: 8, room_level_id: level.room_level!.room_level_id! } }));
    const roomId = room.room!.room_id!;
    await ok(client.vc.scopeConfig.create({ data: { scope_type: 1, scope_id: level.room_level!.room_level_id!, scope_config: { display_background: 'https://bg.test/hq.png' } } }));
    await ok(client.vc.scopeConfig.create({ data: { scope_type: 2, scope_id: roomId, scope_config: { room_background: 'https://bg.test/lake.png' } } }));
    const page = await signedInPage('alice');
    await page.waitForURL(/\/admin$/);
    await page.goto(`${s.url}/admin/rooms`);
    await page.click(`button[data-room="${roomId}"]`);
    await page.waitForSelector('#book-form');
    // each setting says where it comes from: the room's own, or the level that sets it
    await page.waitForSelector('#room-config tr[data-section=display_background]');
    expect(await page.textContent('#room-config tr[data-section=display_background] .from')).toBe('level HQ');
    expect(await page.textContent('#room-config tr[data-section=room_background] .from')).toBe('this room');
    // the room's status in words, as of now (not its stored disable window)
    expect(await page.textContent('#room-config tr[data-section=room_status] td')).toBe('Enabled');
    // the form starts at a time that can still be booked (not 10:00 of a day already past it), an hour long
    const prefilled = await page.evaluate(() => {
      const value = (name: string) => new Date(((globalThis as any).document.querySelector(`#book-form input[name=${name}]`) as { value: string }).value).getTime();
      return { start: value('start'), end: value('end'), now: Date.now() };
    });
    expect(prefilled.start).toBeGreaterThan(prefilled.now);
    expect(prefilled.end - prefilled.start).toBe(3600_000);
    await page.fill('#book-form input[name=topic]', 'Planning');
    const start = new Date(Date.now() + 2 * 3600_000);
    start.setMinutes(0, 0, 0);
    const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    await page.fill('#book-form input[name=start]', local(start));
    await page.fill('#book-form input[name=end]', local(new Date(start.getTime() + 3600_000)));
    await page.click('#book-form button[type=submit]');
    await page.waitForSelector('#calendar .booking, #status .msg.error');
    expect(await page.textContent('#status')).not.toContain('Refused');
    expect(await page.textContent('#calendar .booking')).toContain('Planning');
    // a second submit of the same span is refused by the booking rules (the room is taken)
    await page.fill('#book-form input[name=start]', local(start));
    await page.fill('#book-form input[name=end]', local(new Date(start.getTime() + 3600_000)));
    await page.click('#book-form button[type=submit]');
    await page.waitForSelector('#status .msg.error');
    expect(await page.textContent('#status')).toContain('is booked');
    expect(await page.locator('#calendar .booking').count()).toBe(1);
    // a booking eight days on lands in another week: the calendar moves to the week that holds it
    const later = new Date(start.getTime() + 8 * 86_400_000);
    const dayOf = (d: Date) => local(d).slice(0, 10);
    await page.fill('#book-form input[name=topic]', 'Retro');
    await page.fill('#book-form input[name=start]', local(later));
    await page.fill('#book-form input[name=end]', local(new Date(later.getTime() + 1800_000)));
    await page.click('#book-form button[type=submit]');
    await page.waitForSelector(`#calendar .day[data-day="${dayOf(later)}"] .booking`);
    expect(await page.textContent(`#calendar .day[data-day="${dayOf(later)}"] .booking`)).toContain('Retro');
    expect(await page.locator(`#calendar .day[data-day="${dayOf(start)}"]`).count()).toBe(0);
    await page.fill('#cal-date', dayOf(start));
    await page.dispatchEvent('#cal-date', 'change');
    await page.waitForSelector(`#calendar .day[data-day="${dayOf(start)}"] .booking`);
    await page.screenshot({ path: `${SHOTS}/rooms-1280.png`, fullPage: true });

    await page.click('#room-toggle');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#room-state')?.textContent === 'Disabled');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('#room-config tr[data-section=room_status] td')?.textContent === 'Disabled');
    const got = await ok(client.vc.room.get({ path: { room_id: roomId } }));
    expect(got.room?.room_status?.status).toBe(false);
  });

  it('adds a user, makes an invitation link, disables and enables, and grants the administrator role', async () => {
    const page = await signedInPage('alice');
    await page.waitForURL(/\/admin$/);
    await page.goto(`${s.url}/admin/users`);
    await page.fill('#add-user input[name=user_id]', 'newbie');
    await page.fill('#add-user input[name=name]', 'New Bie');
    await page.selectOption('#add-user select[name=department_id]', 'eng');
    await page.click('#add-user button[type=submit]');
    await page.waitForSelector('tr[data-user="newbie"]');
    expect(await page.textContent('tr[data-user="newbie"]')).toContain('Engineering');
    const u = await ok(s.client(fixture.acme.full).contact.user.get({ path: { user_id: 'newbie' }, params: { user_id_type: 'user_id' } }));
    expect(u.user?.name).toBe('New Bie');

    await page.click('tr[data-user="newbie"] button.invite');
    await page.waitForSelector('#invite-url');
    const link = (await page.textContent('#invite-url'))!;
    expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
    expect((await fetch(link)).status).toBe(200);

    // the button names what it does, the cell what is
    expect(await page.textContent('tr[data-user="member02"] button.toggle-status')).toBe('Disable');
    await page.click('tr[data-user="member02"] button.toggle-status');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('tr[data-user="member02"] .state')?.textContent === 'Disabled');
    expect(await page.textContent('tr[data-user="member02"] button.toggle-status')).toBe('Enable');
    await page.click('tr[data-user="member02"] button.toggle-status');
    await page.waitForFunction(() => (globalThis as any).document.querySelector('tr[data-user="member02"] .state')?.textContent === 'Active');

    await page.click('tr[data-user="member03"] button.toggle-admin');
    await page.waitForSelector('tr[data-user="member03"] .tag');
    const member03 = await signIn(s.url, 'acme', 'member03');
    expect((await fetch(`${s.url}/admin/api/live`, { headers: { cookie: member03 } })).status).toBe(200);
    await page.screenshot({ path: `${SHOTS}/users-1280.png`, fullPage: true });

    // refused: adding the same user twice, taking one's own role, a malformed ID
    const alice = await signIn(s.url, 'acme', 'alice');
    const post = async (path: string, body: unknown) => (await (await fetch(`${s.url}${path}`, { method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Json;
    expect(await post('/admin/api/users', { user_id: 'newbie', name: 'Again' })).toMatchObject({ code: 121006, msg: expect.stringContaining('already exists') });
    expect(await post('/admin/api/users/alice/admin', { admin: false })).toMatchObject({ code: 121005 });
    expect(await post('/admin/api/users', { user_id: 'bad id!', name: 'x' })).toMatchObject({ code: 121003 });
    expect(await post('/admin/api/users/gina/status', { status: 'frozen' })).toMatchObject({ code: 121004 });
  });

  it("sets an app's redirect URIs and events, and redelivers from the delivery log", async () => {
    const received: Json[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const json = JSON.parse(body) as Json;
        received.push(json);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(json.type === 'url_verification' ? { challenge: json.challenge } : {}));
      });
    });
    const url = await listenLocal(receiver);
    try {
      const page = await signedInPage('alice');
      await page.waitForURL(/\/admin$/);
      await page.goto(`${s.url}/admin/apps`);
      const card = `section[data-app="${fixture.acme.full.appId}"]`;
      await page.fill(`${card} textarea[name=redirect_uris]`, 'https://client.test/callback\nhttps://client.test/cb\nhttps://new.test/cb');
      await page.fill(`${card} input[name=request_url]`, `${url}/events`);
      await page.check(`${card} input[value="vc.meeting.all_meeting_started_v1"]`);
      await page.click(`${card} button[type=submit]`);
      await page.waitForSelector('#status .msg');
      expect(await page.textContent('#status')).toContain('Saved');
      const app = await s.runtime.repos.apps.find(fixture.acme.full.appId);
      expect(app?.redirectUris).toContain('https://new.test/cb');

      const a = await clientCall('alice', 'POST', '/client/v1/meetings', { topic: 'Events' });
      await clientCall('alice', 'POST', `/client/v1/sessions/${a.session_id}/leave`);
      await page.goto(`${s.url}/admin/apps?app=${fixture.acme.full.appId}`);
      const row = 'tr[data-delivery]';
      // the log is drawn once per load: reload until it shows what is awaited (at most 10 s)
      const reloadUntil = async (done: () => Promise<boolean>) => {
        for (let i = 0; i < 50 && !(await done()); i++) {
          await new Promise((r) => setTimeout(r, 200));
          await page.reload();
          await page.waitForSelector('#deliveries');
        }
      };
      await reloadUntil(async () => (await page.locator(row).count()) > 0);
      await page.waitForSelector(row);
      const before = received.filter((r) => r.header?.event_type === 'vc.meeting.all_meeting_started_v1').length;
      await page.click(`${row} button.redeliver`);
      await page.waitForSelector('#status .msg');
      expect(await page.textContent('#status')).toContain('Queued for redelivery');
      for (let i = 0; i < 100 && received.filter((r) => r.header?.event_type === 'vc.meeting.all_meeting_started_v1').length <= before; i++) await new Promise((r) => setTimeout(r, 100));
      expect(received.filter((r) => r.header?.event_type === 'vc.meeting.all_meeting_started_v1').length).toBeGreaterThan(before);
      // the log says so in words
      const state = () => page.locator(`${row} .state`).first().textContent();
      await reloadUntil(async () => (await state()) === 'Delivered');
      expect(await state()).toBe('Delivered');
      await page.screenshot({ path: `${SHOTS}/apps-1280.png`, fullPage: true });
    } finally {
      await closeLocal(receiver);
    }
  });

  it('starts a meeting-list export, watches it finish and downloads it; a double submit starts one export', async () => {
    const page = await signedInPage('alice');
    await page.waitForURL(/\/admin$/);
    await page.goto(`${s.url}/admin/exports`);
    await page.selectOption('#export-kind', 'meeting_list');
    const local = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * 60000).toISOString().slice(0, 16);
    await page.fill('#export-form input[name=start]', local(historyFrom - DAY));
    await page.fill('#export-form input[name=end]', local(now));
    await page.click('#export-form button[type=submit]');
    await page.waitForSelector('#tasks tr[data-status=done]', { timeout: 30_000 });
    const href = await page.getAttribute('#tasks tr[data-status=done] a.download', 'href');
    const file = await page.request.get(`${s.url}${href}`);
    expect(file.status()).toBe(200);
    const sheet = await sheetOf(Buffer.from(await file.body()));
    expect(sheet.rows.length).toBe(1 + 12);
    await page.screenshot({ path: `${SHOTS}/exports-1280.png`, fullPage: true });

    const alice = await signIn(s.url, 'acme', 'alice');
    const post = async (body: unknown) => (await (await fetch(`${s.url}/admin/api/exports`, { method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' }, body: JSON.stringify(body) })).json()) as Json;
    const form = { kind: 'meeting_list', request_id: 'form-0123456789', start_time: String(Math.floor((historyFrom - DAY) / 1000)), end_time: String(Math.floor(now / 1000)) };
    const first = await post(form);
    const second = await post(form);
    expect(first.code).toBe(0);
    expect(second).toMatchObject({ code: 0, data: { task_id: first.data.task_id, repeated: true } });
    expect(await post({ ...form, request_id: 'form-abcdefghij', kind: 'everything' })).toMatchObject({ code: 121003 });
    expect(await post({ ...form, request_id: 'form-abcdefghik', start_time: '1000000000' })).toMatchObject({ code: 121003, msg: expect.stringContaining('at most') });
    // a refused form may be sent again once corrected: its request id was not kept
    expect((await post({ ...form, request_id: 'form-abcdefghik' })).code).toBe(0);
  });

  it('every page fits a phone, names every control, and is worked from the keyboard', async () => {
    const live = await clientCall('bob', 'POST', '/client/v1/meetings', { topic: 'A meeting with a rather long topic to see it wrap on a phone', device: { type: 'android', network_type: '4g', os: 'Android' } });
    const client = s.client(fixture.acme.full);
    const level = await ok(client.vc.roomLevel.create({ data: { name: 'Annex', parent_id: '0' } }));
    const room = await ok(client.vc.room.create({ data: { name: 'Pond', capacity: 4, room_level_id: level.room_level!.room_level_id! } }));
    // a booking, so that the week calendar has something to squeeze into a phone's width
    const start = new Date(Date.now() + 2 * 3600_000);
    start.setMinutes(0, 0, 0);
    const alice = await signIn(s.url, 'acme', 'alice');
    const booked = await fetch(`${s.url}/admin/api/bookings`, {
      method: 'POST',
      headers: { cookie: alice, 'content-type': 'application/json' },
      body: JSON.stringify({ room_id: room.room!.room_id!, topic: 'Quarterly planning with everyone', start_time: String(start.getTime() / 1000), end_time: String(start.getTime() / 1000 + 3600) }),
    });
    expect(((await booked.json()) as Json).code).toBe(0);
    const meetingCard = `section.meeting[data-meeting="${live.meeting.id as string}"]`;
    const pages = [
      { name: 'dashboard', path: `/admin?from=${isoDay(historyFrom - DAY)}&to=${isoDay(now)}`, ready: 'body[data-drawn]', primary: '#range button[type=submit]' },
      { name: 'live', path: '/admin/live', ready: meetingCard, primary: `${meetingCard} button.end` },
      { name: 'rooms', path: `/admin/rooms?room=${room.room!.room_id!}`, ready: '#calendar .day', primary: '#book-form button[type=submit]' },
      { name: 'recordings', path: '/admin/recordings', ready: '#storage', primary: null },
      { name: 'users', path: '/admin/users', ready: '#users tbody tr', primary: '#add-user button[type=submit]' },
      { name: 'apps', path: '/admin/apps', ready: '#deliveries', primary: '.app-form button[type=submit]' },
      { name: 'exports', path: '/admin/exports', ready: '#tasks', primary: '#export-form button[type=submit]' },
    ];
    const page = await signedInPage('alice', { width: 390, height: 844 });
    await page.waitForURL(/\/admin$/);
    const navLinks = pages.length;
    for (const p of pages) {
      await page.goto(`${s.url}${p.path}`);
      await page.waitForSelector(p.ready);
      // Tab from the top of the fresh page: the skip link first, then every page of the navigation and the page's primary action, each with a visible focus
      const seen = new Set<string>();
      let primary = p.primary === null;
      for (let i = 0; i < 80 && (seen.size < navLinks || !primary); i++) {
        await page.keyboard.press('Tab');
        const f = await page.evaluate((sel) => {
          const a = (globalThis as any).document.activeElement;
          return { skip: a.classList.contains('skip'), nav: a.closest('header nav') ? a.getAttribute('href') : null, primary: sel ? a.matches(sel) : false, outline: (globalThis as any).getComputedStyle(a).outlineStyle, tag: `${a.tagName} ${a.name ?? ''}` };
        }, p.primary);
        if (i === 0) expect(f.skip, `${p.name}: the first Tab goes to the skip link`).toBe(true);
        expect(f.outline, `${p.name}: focus on ${f.tag} is visible`).not.toBe('none');
        if (f.nav) seen.add(f.nav);
        primary ||= f.primary;
      }
      expect(seen.size, `${p.name}: navigation links reached by Tab`).toBe(navLinks);
      expect(primary, `${p.name}: primary action ${p.primary} reached by Tab`).toBe(true);

      if (p.name === 'rooms') {
        // the week that holds the booking (two hours from now may be next week)
        const local = new Date(start.getTime() - start.getTimezoneOffset() * 60000).toISOString().slice(0, 10);
        await page.fill('#cal-date', local);
        await page.dispatchEvent('#cal-date', 'change');
        await page.waitForSelector('#calendar .booking');
      }
      // nothing wider than the phone: wide tables scroll inside their card, the page itself never sideways
      const width = await page.evaluate(() => ({ page: (globalThis as any).document.documentElement.scrollWidth, view: (globalThis as any).innerWidth }));
      expect(width.page, `${p.name} is ${width.page}px wide on a ${width.view}px phone`).toBeLessThanOrEqual(width.view);
      // the wide lists are cards on a phone: every cell of a row in view without scrolling, headed by its column
      const cells = await page.evaluate(() =>
        [...(globalThis as any).document.querySelectorAll('table.cards tbody tr:first-child td')].map((td: any) => ({ right: td.getBoundingClientRect().right, label: td.dataset.label ?? null, text: td.textContent })),
      );
      for (const c of cells) expect(c.right, `${p.name}: a cell (${c.label}: ${c.text.slice(0, 30)}) off the phone's width`).toBeLessThanOrEqual(width.view);
      if (p.name === 'users') expect(cells.map((c) => c.label)).toEqual(['Name', 'Email', 'Departments', 'Status', null]);
      await page.screenshot({ path: `${SHOTS}/phone-${p.name}.png`, fullPage: true });

      // every control has a name a screen reader says: a label, aria-label(ledby), or (buttons, links) its text
      const unnamed = await page.evaluate(() =>
        [...(globalThis as any).document.querySelectorAll('input, select, textarea, button, a[href]')]
          .filter((e: any) => e.type !== 'hidden')
          .filter((e: any) => !(e.labels?.length > 0 || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby') || ((e.tagName === 'BUTTON' || e.tagName === 'A') && e.textContent.trim())))
          .map((e: any) => e.outerHTML.slice(0, 160)),
      );
      expect(unnamed, p.name).toEqual([]);
    }

    // the skip link takes the keyboard past the navigation, into the page
    await page.goto(`${s.url}/admin/users`);
    await page.waitForSelector('#users tbody tr');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement.closest('#main') !== null)).toBe(true);
    // and a form is filled and sent from the keyboard alone
    await page.focus('#add-user input[name=user_id]');
    await page.keyboard.type('phoneuser');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Phone User');
    await page.keyboard.press('Enter');
    await page.waitForSelector('tr[data-user="phoneuser"]');
    await clientCall('bob', 'POST', `/client/v1/sessions/${live.session_id as string}/end`);
  });

  it('refuses a non-administrator every page and every call, and signed-out and cross-site calls', async () => {
    const page = await signedInPage('bob');
    for (const path of ['/admin', '/admin/live', '/admin/rooms', '/admin/recordings', '/admin/users', '/admin/apps', '/admin/exports']) {
      const res = await page.goto(`${s.url}${path}`);
      expect(res?.status()).toBe(403);
      expect(await page.textContent('#refused')).toContain('administrators');
    }
    await page.screenshot({ path: `${SHOTS}/refused.png` });
    const bob = await signIn(s.url, 'acme', 'bob');
    const calls: [string, string][] = [
      ['GET', '/admin/api/dashboard?from=2024-01-01&to=2024-01-02'],
      ['GET', '/admin/api/dashboard/usage.xlsx?from=2024-01-01&to=2024-01-02'],
      ['GET', '/admin/api/live'],
      ['POST', '/admin/api/meetings/x/end'],
      ['POST', '/admin/api/meetings/x/kickout'],
      ['POST', '/admin/api/meetings/x/host'],
      ['POST', '/admin/api/meetings/x/recording'],
      ['GET', '/admin/api/rooms'],
      ['GET', '/admin/api/bookings?from=2024-01-01&to=2024-01-02'],
      ['POST', '/admin/api/bookings'],
      ['POST', '/admin/api/rooms/x/status'],
      ['GET', '/admin/api/users'],
      ['POST', '/admin/api/users'],
      ['POST', '/admin/api/users/bob/admin'],
      ['POST', '/admin/api/users/bob/invite'],
      ['GET', '/admin/api/apps'],
      ['POST', '/admin/api/apps/x/redirect_uris'],
      ['POST', '/admin/api/apps/x/event_subscription'],
      ['GET', '/admin/api/deliveries'],
      ['POST', '/admin/api/deliveries/redeliver'],
      ['GET', '/admin/api/recordings'],
      ['GET', '/admin/api/recordings/1/media'],
      ['POST', '/admin/api/recordings/1/share'],
      ['POST', '/admin/api/recordings/1/compose'],
      ['POST', '/admin/api/recordings/1/delete'],
      ['GET', '/admin/api/exports'],
      ['POST', '/admin/api/exports'],
      ['GET', '/admin/api/exports/1/file'],
    ];
    for (const [method, path] of calls) {
      const res = await fetch(`${s.url}${path}`, { method, headers: { cookie: bob, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) }, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect([path, res.status, ((await res.json()) as Json).code]).toEqual([path, 403, 190005]);
      const anon = await fetch(`${s.url}${path}`, { method, headers: method === 'POST' ? { 'content-type': 'application/json' } : {}, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect([path, anon.status, ((await anon.json()) as Json).code]).toEqual([path, 401, 190004]);
    }
    const alice = await signIn(s.url, 'acme', 'alice');
    const form = await fetch(`${s.url}/admin/api/meetings/x/end`, { method: 'POST', headers: { cookie: alice, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(((await form.json()) as Json).code).toBe(190006);
    const other = await fetch(`${s.url}/admin/api/meetings/x/end`, { method: 'POST', headers: { cookie: alice, origin: 'https://evil.test', 'content-type': 'application/json' }, body: '{}' });
    expect(((await other.json()) as Json).code).toBe(190006);
    // another tenant's meeting is no meeting of this tenant
    const unknown = await fetch(`${s.url}/admin/api/meetings/nope/end`, { method: 'POST', headers: { cookie: alice, 'content-type': 'application/json' }, body: '{}' });
    expect(unknown.status).toBe(404);
  });
});
