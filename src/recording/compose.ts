/**
 * How a segment's raw tracks become one MP4 (pure: the ffmpeg command line, no process). Every audio
 * track is mixed in at its offset; video is laid out on a fixed 1280x720 canvas:
 * - without a screen share, a grid of one tile per participant with a camera (their camera tracks, one
 *   after another, in their tile);
 * - with one, the screen large on the left (960x720, every screen track in turn) and the cameras in a
 *   column of 320x180 tiles on the right.
 * The output lasts exactly the segment: black and silent wherever nothing was captured. A video track
 * shows its first picture from when its span began (the wait for a keyframe, seconds on a busy machine,
 * is not black) and keeps its last picture until the span ended (a still screen, or a sender that fell
 * behind, is not black either); a track whose end the capture never wrote stops with its file.
 */
import type { Track } from './manifest.js';

export const CANVAS = { width: 1280, height: 720, fps: 25 } as const;
/** Tiles beyond these are left out: a grid of 5x5, a column of 4 beside a screen. */
export const MAX_GRID_TILES = 25;
export const MAX_SIDE_TILES = 4;

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

const even = (n: number): number => Math.max(2, Math.floor(n / 2) * 2);

/** Tiles for `n` cameras filling the canvas, row by row. */
export function gridRects(n: number): Rect[] {
  if (n === 0) return [];
  const cols = Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const w = even(CANVAS.width / cols);
  const h = even(CANVAS.height / rows);
  return Array.from({ length: n }, (_, i) => ({ x: (i % cols) * w, y: Math.floor(i / cols) * h, w, h }));
}

export const SCREEN_RECT: Rect = { x: 0, y: 0, w: 960, h: 720 };
export function sideRects(n: number): Rect[] {
  return Array.from({ length: n }, (_, i) => ({ x: 960, y: i * 180, w: 320, h: 180 }));
}

/** Where each video track goes: screen tracks in the screen rectangle, camera tracks in their participant's tile. */
export function layout(tracks: readonly Track[]): { track: Track; rect: Rect }[] {
  const screens = tracks.filter((t) => t.kind === 'screen');
  const people: string[] = [];
  for (const t of tracks) if (t.kind === 'video' && !people.includes(t.participantKey)) people.push(t.participantKey);
  const shown = people.slice(0, screens.length > 0 ? MAX_SIDE_TILES : MAX_GRID_TILES);
  const rects = screens.length > 0 ? sideRects(shown.length) : gridRects(shown.length);
  const placed: { track: Track; rect: Rect }[] = screens.map((track) => ({ track, rect: SCREEN_RECT }));
  for (const t of tracks) {
    const i = t.kind === 'video' ? shown.indexOf(t.participantKey) : -1;
    if (i >= 0) placed.push({ track: t, rect: rects[i]! });
  }
  return placed;
}

const secs = (ms: number): string => (ms / 1000).toFixed(3);

/**
 * The filters that hold a video track's first frame from its span's start to its first frame, and its
 * last frame to its span's end (times from the span's start: the track's own timeline after `tpad`).
 */
function held(t: Track): string {
  const lead = t.offsetMs - t.openedMs;
  const pad = [...(lead > 0 ? [`start_duration=${secs(lead)}:start_mode=clone`] : []), ...(t.endedMs !== undefined ? ['stop=-1:stop_mode=clone'] : [])];
  return (pad.length ? `,tpad=${pad.join(':')}` : '') + (t.endedMs !== undefined ? `,trim=end=${secs(t.endedMs - t.openedMs)}` : '');
}

/** The ffmpeg arguments (after `ffmpeg -nostdin -loglevel error`) that compose `tracks` into `out`. */
export function composeArgs(tracks: readonly Track[], durationMs: number, out: string, threads: number): string[] {
  const d = secs(durationMs);
  const args = ['-y', '-f', 'lavfi', '-i', `color=c=black:s=${CANVAS.width}x${CANVAS.height}:r=${CANVAS.fps}:d=${d}`, '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo'];
  const input = new Map<Track, number>();
  const audio = tracks.filter((t) => t.kind === 'audio');
  const video = layout(tracks);
  for (const t of [...audio, ...video.map((v) => v.track)]) {
    if (input.has(t)) continue;
    input.set(t, input.size + 2);
    args.push('-i', t.file);
  }
  const graph: string[] = [`[1:a]atrim=0:${d}[abase]`];
  audio.forEach((t, i) => {
    graph.push(`[${input.get(t)}:a]asetpts=PTS-STARTPTS,aresample=48000,aformat=channel_layouts=stereo,adelay=${t.offsetMs}:all=1[a${i}]`);
  });
  graph.push(`[abase]${audio.map((_, i) => `[a${i}]`).join('')}amix=inputs=${audio.length + 1}:duration=first:normalize=0[aout]`);
  let last = '0:v';
  video.forEach(({ track, rect }, i) => {
    graph.push(
      `[${input.get(track)}:v]setpts=PTS-STARTPTS,fps=${CANVAS.fps}${held(track)},setpts=PTS+${secs(track.openedMs)}/TB,` +
        `scale=${rect.w}:${rect.h}:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=${rect.w}:${rect.h}:(ow-iw)/2:(oh-ih)/2,setsar=1[v${i}]`,
    );
    graph.push(`[${last}][v${i}]overlay=${rect.x}:${rect.y}:eof_action=pass[o${i}]`);
    last = `o${i}`;
  });
  graph.push(`[${last}]format=yuv420p[vout]`);
  args.push(
    '-filter_complex', graph.join(';'),
    '-map', '[vout]', '-map', '[aout]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', '-r', String(CANVAS.fps),
    '-c:a', 'aac', '-b:a', '128k', '-ar', '48000',
    '-t', d, '-movflags', '+faststart', '-threads', String(threads), '-f', 'mp4', out,
  );
  return args;
}
