import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { FIXTURE_PASSWORD } from './fixture.js';

// Functions passed to page.evaluate run in the page; the test build has no DOM types.
declare const window: any;
declare const document: any;

/** Debian's Chromium; CI installs it. Browser tests skip (saying so) only when it is missing. */
export const CHROMIUM_PATH = process.env.OPENVC_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM_PATH);
export const noChromiumReason = `browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium, or set OPENVC_CHROMIUM)`;
if (!hasChromium) console.warn(noChromiumReason);

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  // Pages in background tabs must keep decoding: each participant is a tab of one browser.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/** One Chromium process; each participant gets its own context (its own sign-in). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** A browser test's teardown: its pages, then the browser, then the server and its store (each may be missing). */
export async function closeBrowserTest(pages: readonly { close(): Promise<unknown> }[], browser: Browser | undefined, server: { close(): Promise<unknown>; store: { dispose(): Promise<unknown> } } | undefined): Promise<void> {
  for (const p of pages) await p.close().catch(() => {});
  await browser?.close();
  await server?.close();
  await server?.store.dispose();
}

export interface InboundVideo {
  participant_key: string;
  source: 'video' | 'screen';
  framesDecoded: number;
  frameHeight?: number;
  paused?: string;
}

export interface OpenOptions {
  /** seconds between quality samples the page posts (the page's `stats_interval`; default 60) */
  statsInterval?: number;
  /** the user's password on the sign-in page (default: the fixture's) */
  password?: string;
  /** more of the join link's query, e.g. `pwd=123456` (a booked meeting's link carries its password) */
  query?: string;
}

/**
 * A participant's meeting page, driven the way a person would: sign in on the authorize page, pass the
 * device check, click the controls. Reads what the page shows and what its RTCPeerConnection decodes.
 */
export class MeetingPage {
  /** the page's console output and uncaught errors, for failure messages */
  readonly console: string[] = [];

  private constructor(
    readonly page: Page,
    readonly context: BrowserContext,
    /** the user signed in, or the guest's name */
    readonly userId: string,
  ) {
    page.on('console', (m) => this.console.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => this.console.push(`pageerror: ${e.message}`));
  }

  /** Opens `/j/:meeting_no` in a fresh context and signs in as `userId` through the sign-in and OAuth pages. */
  static async open(browser: Browser, baseUrl: string, meetingNo: string, userId: string, opts: OpenOptions = {}): Promise<MeetingPage> {
    const context = await browser.newContext();
    const page = await context.newPage();
    const parts = [...(opts.statsInterval ? [`stats_interval=${opts.statsInterval}`] : []), ...(opts.query ? [opts.query] : [])];
    const query = parts.length ? `?${parts.join('&')}` : '';
    await page.goto(`${baseUrl}/j/${meetingNo}${query}`);
    await page.waitForSelector('body[data-view=signin]');
    await page.click('#signin-button');
    await page.waitForURL(/\/signin\?/);
    await page.fill('input[name=login]', userId);
    await page.fill('input[name=password]', opts.password ?? FIXTURE_PASSWORD);
    await page.click('#signin-submit');
    await page.waitForURL(/\/open-apis\/authen\/v1\/authorize/);
    await page.click('button.allow');
    await page.waitForSelector('body[data-view=prejoin]');
    return new MeetingPage(page, context, userId);
  }

  /** Opens `/j/:meeting_no` in a fresh context and goes on as a guest named `name` (the meeting must admit guests). */
  static async openAsGuest(browser: Browser, baseUrl: string, meetingNo: string, name: string): Promise<MeetingPage> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${baseUrl}/j/${meetingNo}`);
    await page.waitForSelector('body[data-view=signin]');
    await page.fill('#guest-name', name);
    await page.click('#guest-button');
    await page.waitForSelector('body[data-view=prejoin]');
    return new MeetingPage(page, context, name);
  }

  /** Clicks Join and waits until the media server has greeted the page. */
  async join(): Promise<void> {
    await this.page.click('#join-button:not([disabled])');
    await this.page
      .waitForFunction(() => document.body.dataset.view === 'meeting' || document.getElementById('join-error').textContent !== '', undefined, { timeout: 15_000 })
      .catch((e: Error) => {
        throw new Error(`${this.userId} did not get into the meeting: ${e.message}\npage console:\n${this.console.join('\n')}`);
      });
    const refused = await this.page.textContent('#join-error');
    if (refused) throw new Error(`${this.userId} could not join: ${refused}`);
    await this.page.waitForFunction(() => (window as any).openvc.me !== null);
  }

  /** The page's state object (`window.openvc`), JSON-safe parts only. */
  async state(): Promise<{ sessionId: string; meeting: { id: string; meeting_no: string }; me: string; hostKey: string | null; roster: any[]; tracks: any[]; events: any[]; errors: any[]; statsPosted: any[]; over: string | null; bye?: string }> {
    return this.page.evaluate(() => {
      const s = (window as any).openvc;
      return JSON.parse(JSON.stringify({ sessionId: s.sessionId, meeting: s.meeting, me: s.me, hostKey: s.hostKey, roster: s.roster, tracks: s.tracks, events: s.events, errors: s.errors, statsPosted: s.statsPosted, over: s.over, bye: s.bye }));
    });
  }

  /** Video the page receives, per participant and source, from getStats (frames actually decoded). */
  async inboundVideo(): Promise<InboundVideo[]> {
    return this.page.evaluate(async () => {
      const s = (window as any).openvc;
      const out: any[] = [];
      if (!s.pc) return out;
      const report = await s.pc.getStats();
      const byMid = new Map<string, any>();
      report.forEach((r: any) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') byMid.set(r.mid, r);
      });
      for (const t of s.tracks) {
        if (t.source === 'audio') continue;
        const r = t.mid ? byMid.get(t.mid) : undefined;
        out.push({ participant_key: t.participant_key, source: t.source, framesDecoded: r?.framesDecoded ?? 0, frameHeight: r?.frameHeight, ...(t.paused ? { paused: t.paused } : {}) });
      }
      return out;
    });
  }

  /** Remembers the page's peer connection now, for `waitForVideo(keys, { newConnection: true })`. */
  async markConnection(): Promise<void> {
    await this.page.evaluate(() => {
      (window as any).__markedPc = (window as any).openvc.pc;
    });
  }

  /**
   * Waits until video of every key in `keys` decodes more than `minFrames` frames; resolves with the
   * ms it took. Polls inside the page every 20 ms, so the time is accurate to that. With `newConnection`,
   * only frames on a peer connection other than the one `markConnection` saw count.
   */
  async waitForVideo(keys: string[], opts: { source?: 'video' | 'screen'; minFrames?: number; timeoutMs?: number; newConnection?: boolean } = {}): Promise<number> {
    const arg = { keys, source: opts.source ?? 'video', min: opts.minFrames ?? 0, timeout: opts.timeoutMs ?? 15_000, fresh: opts.newConnection === true };
    return this.page.evaluate(async ({ keys, source, min, timeout, fresh }) => {
      const start = performance.now();
      const s = (window as any).openvc;
      for (;;) {
        const decoded = new Map<string, number>();
        if (s.pc && (!fresh || s.pc !== (window as any).__markedPc)) {
          const report = await s.pc.getStats();
          const byMid = new Map<string, number>();
          report.forEach((r: any) => {
            if (r.type === 'inbound-rtp' && r.kind === 'video') byMid.set(r.mid, r.framesDecoded ?? 0);
          });
          for (const t of s.tracks) if (t.source === source && t.mid) decoded.set(t.participant_key, byMid.get(t.mid) ?? 0);
        }
        if (keys.every((k: string) => (decoded.get(k) ?? 0) > min)) return performance.now() - start;
        if (performance.now() - start > timeout) throw new Error(`no ${source} from ${keys.filter((k: string) => !((decoded.get(k) ?? 0) > min)).join(', ')}${fresh ? ' on a new connection' : ''} within ${timeout} ms (decoded: ${JSON.stringify([...decoded])})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }, arg);
  }

  /** Waits for `predicate` over the page state (polling). */
  async until<T>(read: (s: Awaited<ReturnType<MeetingPage['state']>>) => T | undefined | false, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: Awaited<ReturnType<MeetingPage['state']>> | undefined;
    for (;;) {
      last = await this.state();
      const v = read(last);
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; page state: ${JSON.stringify({ ...last, events: last.events.map((e: any) => e.type) }).slice(0, 2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async view(): Promise<string> {
    return this.page.evaluate(() => document.body.dataset.view ?? '');
  }

  async toggleMic(): Promise<void> {
    await this.page.click('#mic');
  }

  async toggleCamera(): Promise<void> {
    await this.page.click('#cam');
  }

  async toggleShare(): Promise<void> {
    await this.page.click('#share');
  }

  /** Host controls, through the participant list. */
  async kick(participantKey: string): Promise<void> {
    await this.page.click(`#people li[data-participant="${participantKey}"] button.kick`);
  }

  async makeHost(participantKey: string): Promise<void> {
    await this.page.click(`#people li[data-participant="${participantKey}"] button.make-host`);
  }

  async endMeeting(): Promise<void> {
    await this.page.click('#end');
  }

  async toggleRecording(): Promise<void> {
    await this.page.click('#record');
  }

  async leave(): Promise<void> {
    await this.page.click('#leave');
  }

  /** What the page says on its closing screen. */
  async overTitle(): Promise<string> {
    return (await this.page.textContent('#over-title')) ?? '';
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
