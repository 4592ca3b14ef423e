import { esc, page } from './html.js';

export interface PlayerView {
  topic: string;
  mediaUrl: string;
  /** when the segment started, ms */
  startedAt: number;
  durationMs: number;
  /** hours from UTC the start is shown in (the start request's `timezone`; UTC when none was given) */
  timezone: number | null;
  /** who is watching, if signed in */
  viewer?: string;
  signInUrl: string;
}

/** `2024-05-06 10:00:00 (UTC+08:00)` */
export function shownTime(ms: number, timezone: number | null): string {
  const tz = timezone ?? 0;
  const d = new Date(ms + tz * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
  const sign = tz < 0 ? '-' : '+';
  return `${d} (UTC${sign}${String(Math.abs(tz)).padStart(2, '0')}:00)`;
}

function clock(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

const WIDE = '<style>main{max-width:880px}video{width:100%;background:#000;border-radius:6px}</style>';

/** The recording's player: an HTML5 video of the MP4 (served with byte ranges, so it seeks). */
export function playerPage(v: PlayerView): string {
  const who = v.viewer ? `Signed in as ${esc(v.viewer)} · <a href="${esc(v.signInUrl)}">switch user</a>` : '';
  return page(
    `Recording: ${v.topic}`,
    `${WIDE}<h1>${esc(v.topic || 'Meeting recording')}</h1>
<p>Recorded ${esc(shownTime(v.startedAt, v.timezone))} · ${esc(clock(v.durationMs))}</p>
<video controls preload="metadata" src="${esc(v.mediaUrl)}"></video>
<p><small>${who}</small></p>`,
  );
}

/** Shown instead of the player while the file is made (it reloads itself) or when it could not be made. */
export function notReadyPage(state: 'processing' | 'failed'): string {
  return state === 'processing'
    ? page('Recording in progress', '<meta http-equiv="refresh" content="10"><h1>Recording in progress</h1><p>The recording is still being recorded or processed. This page reloads by itself.</p>')
    : page('Recording unavailable', '<h1>Recording unavailable</h1><p class="err">The recording file could not be made.</p>');
}

/** No access: says nothing about the recording, only how to try as someone else. */
export function forbiddenPage(viewer: string | undefined, signInUrl: string): string {
  return page(
    'No access',
    `<h1>You do not have access to this recording</h1>
<p class="err">Ask the meeting's owner to share it with you${viewer ? ` (you are signed in as ${esc(viewer)})` : ''}.</p>
<p><a href="${esc(signInUrl)}">Sign in as someone else</a></p>`,
  );
}

export function notFoundPage(): string {
  return page('Not found', '<h1>Recording not found</h1><p class="err">This link does not lead to a recording.</p>');
}
