import { describe, expect, it } from 'vitest';
import { createMeeting, join, type Meeting } from '../src/domain/meeting/meeting.js';
import { mayWatch, startRecording, stopRecording, type WatchedRecording } from '../src/domain/recording/recording.js';
import { parseManifest, type Track } from '../src/recording/manifest.js';
import { composeArgs, gridRects, layout, MAX_GRID_TILES, SCREEN_RECT } from '../src/recording/compose.js';
import { byteRange } from '../src/web/player.routes.js';
import { shownTime } from '../src/web/recording.page.js';
import { errorCode } from './helpers/errors.js';

function live(): Meeting {
  const m = createMeeting({ id: '1', tenantKey: 't', meetingNo: '123456789', topic: 'x', source: 4, ownerUserId: 'alice', createdAt: 0 });
  join(m, { key: 'u:alice', userId: 'alice', userType: 1, tenantKey: 't', sessionId: 's1' }, 1);
  join(m, { key: 'u:bob', userId: 'bob', userType: 1, tenantKey: 't', sessionId: 's2' }, 2);
  return m;
}

describe('recording rules', () => {
  it('the host starts and stops; others, absentees and wrong states are refused without a change', () => {
    const m = live();
    expect(errorCode(() => startRecording(m, 'u:bob', 3))).toBe(121005);
    expect(errorCode(() => startRecording(m, 'u:carol', 3))).toBe(122003);
    expect(errorCode(() => stopRecording(m, 'u:alice', 3))).toBe(122001);
    expect(m.recording).toBe(false);
    expect(startRecording(m, 'u:alice', 3, 8)).toEqual([{ type: 'recording_started', at: 3, operatorKey: 'u:alice', timezone: 8 }]);
    expect(m).toMatchObject({ recording: true, ability: { use_recording: true } });
    expect(errorCode(() => startRecording(m, 'u:alice', 4))).toBe(122001);
    expect(errorCode(() => stopRecording(m, 'u:bob', 4))).toBe(121005);
    expect(stopRecording(m, 'u:alice', 5)).toEqual([{ type: 'recording_ended', at: 5, operatorKey: 'u:alice' }]);
    expect(m.recording).toBe(false);
    m.status = 3;
    expect(errorCode(() => startRecording(m, 'u:alice', 6))).toBe(122001);
  });

  it('who may watch', () => {
    const r = (grants: WatchedRecording['grants']): WatchedRecording => ({ tenantKey: 't', ownerUserId: 'alice', hostUserId: 'bob', grants });
    const user = (userId: string, tenantKey = 't') => ({ tenantKey, userId });
    expect(mayWatch(r([]), undefined)).toBe(false);
    expect(mayWatch(r([]), user('alice'))).toBe(true);
    expect(mayWatch(r([]), user('bob'))).toBe(true);
    expect(mayWatch(r([]), user('carol'))).toBe(false);
    expect(mayWatch(r([]), user('alice', 'other'))).toBe(false);
    expect(mayWatch(r([{ kind: 'user', userId: 'carol' }]), user('carol'))).toBe(true);
    expect(mayWatch(r([{ kind: 'user', userId: 'carol' }]), user('carol', 'other'))).toBe(false);
    expect(mayWatch(r([{ kind: 'tenant', userId: '' }]), user('dave'))).toBe(true);
    expect(mayWatch(r([{ kind: 'tenant', userId: '' }]), user('dave', 'other'))).toBe(false);
    expect(mayWatch(r([{ kind: 'public', userId: '' }]), undefined)).toBe(true);
  });
});

describe('the capture manifest', () => {
  it('lists the started tracks by offset, skipping torn lines and names that leave the directory', () => {
    const lines = [
      { event: 'track_started', file: 'b.webm', kind: 'video', participant_key: 'u:bob', at: 1500, opened_at: 1200 },
      { event: 'track_started', file: 'a.webm', kind: 'audio', participant_key: 'u:alice', at: 900 },
      { event: 'track_ended', file: 'a.webm', at: 2000 },
      // the capture worked out by the end that b's first frame was captured earlier than it came
      { event: 'track_ended', file: 'b.webm', at: 2600, media_at: 1400 },
      { event: 'track_started', file: '../../etc/passwd', kind: 'audio', at: 1000 },
      { event: 'track_started', file: 'c.webm', kind: 'hologram', at: 1000 },
    ].map((l) => JSON.stringify(l));
    const tracks = parseManifest([...lines, '{"event":"track_sta'].join('\n'), '/raw', 1000);
    expect(tracks).toEqual([
      { file: '/raw/a.webm', kind: 'audio', participantKey: 'u:alice', offsetMs: 0, openedMs: 0, endedMs: 1000 },
      { file: '/raw/b.webm', kind: 'video', participantKey: 'u:bob', offsetMs: 400, openedMs: 200, endedMs: 1600 },
    ]);
  });

  it('a name used again (a restarted capture) starts a new track; its end belongs to the latest', () => {
    const lines = [
      { event: 'track_started', file: 'a.webm', kind: 'video', participant_key: 'u:alice', at: 1100 },
      { event: 'track_ended', file: 'a.webm', at: 1500 },
      { event: 'track_started', file: 'a.webm', kind: 'video', participant_key: 'u:alice', at: 3000, opened_at: 2900 },
    ].map((l) => JSON.stringify(l));
    expect(parseManifest(lines.join('\n'), '/raw', 1000)).toEqual([{ file: '/raw/a.webm', kind: 'video', participantKey: 'u:alice', offsetMs: 2000, openedMs: 1900 }]);
  });
});

describe('composition', () => {
  const track = (kind: Track['kind'], participantKey: string, offsetMs = 0, more: Partial<Track> = {}): Track => ({ file: `/raw/${kind}-${participantKey}-${offsetMs}.webm`, kind, participantKey, offsetMs, openedMs: offsetMs, ...more });

  it('a grid of one tile per camera participant, the screen large when someone shares', () => {
    expect(gridRects(1)).toEqual([{ x: 0, y: 0, w: 1280, h: 720 }]);
    expect(gridRects(3)).toEqual([
      { x: 0, y: 0, w: 640, h: 360 },
      { x: 640, y: 0, w: 640, h: 360 },
      { x: 0, y: 360, w: 640, h: 360 },
    ]);
    expect(gridRects(30).length).toBe(30);
    const cams = [track('video', 'u:a'), track('video', 'u:b'), track('video', 'u:a', 900)];
    const grid = layout(cams);
    // a's second camera track goes in a's tile
    expect(grid.map((g) => g.rect.x)).toEqual([0, 1280 / 2, 0]);
    const withScreen = layout([...cams, track('screen', 'u:b', 100), track('audio', 'u:a')]);
    expect(withScreen[0]!.rect).toEqual(SCREEN_RECT);
    expect(withScreen.slice(1).map((g) => g.rect)).toEqual([
      { x: 960, y: 0, w: 320, h: 180 },
      { x: 960, y: 180, w: 320, h: 180 },
      { x: 960, y: 0, w: 320, h: 180 },
    ]);
    const crowd = Array.from({ length: 30 }, (_, i) => track('video', `u:${i}`));
    expect(layout(crowd)).toHaveLength(MAX_GRID_TILES);
  });

  it('lasts exactly the segment, black and silent without tracks, with every audio track delayed to its offset', () => {
    const none = composeArgs([], 2500, '/out.mp4', 2);
    expect(none).toEqual(expect.arrayContaining(['-t', '2.500', '-movflags', '+faststart', '-c:v', 'libx264', '-c:a', 'aac', '-threads', '2']));
    expect(none[none.indexOf('-filter_complex') + 1]).toBe('[1:a]atrim=0:2.500[abase];[abase]amix=inputs=1:duration=first:normalize=0[aout];[0:v]format=yuv420p[vout]');
    const args = composeArgs([track('audio', 'u:a', 0), track('audio', 'u:b', 1250), track('video', 'u:b', 1250)], 3000, '/out.mp4', 1);
    const graph = args[args.indexOf('-filter_complex') + 1]!;
    expect(graph).toContain('adelay=1250:all=1[a1]');
    expect(graph).toContain('amix=inputs=3:duration=first');
    expect(graph).toContain('[4:v]setpts=PTS-STARTPTS,fps=25,setpts=PTS+1.250/TB,scale=');
    expect(args.filter((a) => a === '-i')).toHaveLength(5);
  });

  it("a video track shows its first frame from its span's start and its last until the span's end", () => {
    const graph = (t: Track) => {
      const args = composeArgs([t], 9000, '/out.mp4', 1);
      return args[args.indexOf('-filter_complex') + 1]!;
    };
    // first frame 1.5 s after the span opened at 0.5 s; the span ended at 6 s
    expect(graph(track('screen', 'u:a', 2000, { openedMs: 500, endedMs: 6000 }))).toContain(
      '[2:v]setpts=PTS-STARTPTS,fps=25,tpad=start_duration=1.500:start_mode=clone:stop=-1:stop_mode=clone,trim=end=5.500,setpts=PTS+0.500/TB,',
    );
    // no end in the manifest (the capture died): the track stops with its file
    expect(graph(track('video', 'u:a', 700, { openedMs: 500 }))).toContain('[2:v]setpts=PTS-STARTPTS,fps=25,tpad=start_duration=0.200:start_mode=clone,setpts=PTS+0.500/TB,');
  });
});

describe('player helpers', () => {
  it('byte ranges', () => {
    expect(byteRange(undefined, 100)).toBeUndefined();
    expect(byteRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(byteRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(byteRange('bytes=90-500', 100)).toEqual({ start: 90, end: 99 });
    expect(byteRange('bytes=-10', 100)).toEqual({ start: 90, end: 99 });
    expect(byteRange('bytes=-500', 100)).toEqual({ start: 0, end: 99 });
    expect(byteRange('bytes=100-', 100)).toBe('unsatisfiable');
    expect(byteRange('bytes=5-1', 100)).toBe('unsatisfiable');
    expect(byteRange('bytes=0-1,5-6', 100)).toBeUndefined();
    expect(byteRange('items=0-1', 100)).toBeUndefined();
  });

  it('shows the start in the time zone the recording was started with', () => {
    expect(shownTime(Date.UTC(2024, 4, 6, 2, 0, 0), 8)).toBe('2024-05-06 10:00:00 (UTC+08:00)');
    expect(shownTime(Date.UTC(2024, 4, 6, 2, 0, 0), null)).toBe('2024-05-06 02:00:00 (UTC+00:00)');
    expect(shownTime(Date.UTC(2024, 4, 6, 2, 0, 0), -5)).toBe('2024-05-05 21:00:00 (UTC-05:00)');
  });
});
