import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { closeBrowserTest, hasChromium, launchChromium, MeetingPage } from './helpers/browser.js';

type Json = Record<string, any>;

/**
 * A guest on the meeting page in real Chromium (fake camera and microphone): joins by name beside a
 * signed-in user, each decodes the other's video, the guest gets no host controls and the host can
 * remove them; a meeting that does not admit guests says so.
 */
describe.skipIf(!hasChromium)('a guest on the meeting page', () => {
  let s: TestServer;
  let browser: Browser;
  const pages: MeetingPage[] = [];
  let no = '';

  beforeAll(async () => {
    [s, browser] = await Promise.all([startTestServer(), launchChromium()]);
    const res = await s.client(fixture.acme.full).vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: {
        end_time: String(Math.floor(Date.now() / 1000) + 3600),
        owner_id: 'alice',
        meeting_settings: { topic: 'Open house', password: '', action_permissions: [{ permission: 3, permission_checkers: [{ check_field: 2, check_mode: 1, check_list: ['1', '5'] }] }] },
      },
    });
    no = res.data!.reserve!.meeting_no!;
  });
  afterAll(async () => {
    await closeBrowserTest(pages, browser, s);
  });

  it('a guest joins by name beside a signed-in user, and each decodes the other\'s video', async () => {
    const alice = await MeetingPage.open(browser, s.url, no, 'alice');
    pages.push(alice);
    await alice.join();
    const guest = await MeetingPage.openAsGuest(browser, s.url, no, '  Gus the Guest ');
    pages.push(guest);
    await guest.join();

    const me = (await guest.state()).me;
    expect(me).toMatch(/^g:gu_[0-9a-f]{24}$/);
    await alice.waitForVideo([me], { minFrames: 5 });
    await guest.waitForVideo(['u:alice'], { minFrames: 5 });

    const roster = await alice.until((st) => st.roster.length === 2 && st.roster);
    expect(roster.map((r: Json) => [r.participant_key, r.name, r.is_host])).toEqual([
      ['u:alice', 'Alice', true],
      [me, 'Gus the Guest', false],
    ]);
    await guest.until((st) => st.roster.length === 2);
    expect(await guest.page.textContent(`#people li[data-participant="${me}"]`)).toMatch(/^Gus the Guest \(you\)/);

    // the guest's page: mute, camera and share, no host controls
    expect(await guest.page.isHidden('#end')).toBe(true);
    expect(await guest.page.isHidden('#record')).toBe(true);
    expect(await guest.page.locator('#people button').count()).toBe(0);
    await guest.toggleCamera();
    await alice.until((st) => st.roster.find((r: Json) => r.participant_key === me)?.video === false);
    await guest.toggleCamera();
    await alice.until((st) => st.roster.find((r: Json) => r.participant_key === me)?.video === true);

    // the host removes the guest from the participant list; the guest's page says so
    await alice.kick(me);
    await guest.until((st) => st.over);
    expect(await guest.overTitle()).toBe('You were removed from the meeting');
    await alice.until((st) => st.roster.length === 1);

    // "Join again" brings the same guest back with their token: no name to retype, the same participant
    await guest.page.click('#rejoin');
    await guest.page.waitForSelector('body[data-view=prejoin]');
    await guest.join();
    expect((await guest.state()).me).toBe(me);
    await alice.until((st) => st.roster.some((r: Json) => r.participant_key === me));
    await alice.waitForVideo([me], { minFrames: 5 });
  });

  it('a meeting that does not admit guests says so, with no way to join as one', async () => {
    const started = await fetch(`${s.url}/client/v1/meetings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${(await s.runtime.tokens.issueUserTokens((await s.runtime.repos.apps.find(fixture.acme.full.appId))!, 'bob', [], 'v1', Date.now())).accessToken}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const instant = ((await started.json()) as Json).data.meeting.meeting_no as string;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${s.url}/j/${instant}`);
      await page.waitForSelector('body[data-view=signin]');
      expect(await page.textContent('#no-guests')).toMatch(/does not admit guests/);
      expect(await page.locator('#guest-form').count()).toBe(0);
      expect(await page.isVisible('#signin-button')).toBe(true);
    } finally {
      await context.close();
    }
  });
});
