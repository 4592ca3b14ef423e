/**
 * The capture's manifest (src/media/capture.ts): which track files a raw directory holds, what each
 * carries, and when each started relative to the segment.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

export type TrackKind = 'audio' | 'video' | 'screen';

export interface Track {
  /** absolute path of the track file */
  file: string;
  kind: TrackKind;
  participantKey: string;
  /** when the track's first frame was captured, in ms from the segment's start (never negative) */
  offsetMs: number;
  /** when its span began (the capture asked for it), in ms from the segment's start; at most `offsetMs` */
  openedMs: number;
  /** when its span ended, in ms from the segment's start; none when the capture never said (it died) */
  endedMs?: number;
}

const KINDS = new Set<string>(['audio', 'video', 'screen']);

const time = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * The tracks a manifest names, in the order they started. Lines that do not parse (a process died
 * mid-line) and files outside the directory are skipped; a track without `track_ended` runs to its
 * file's own end.
 */
export function parseManifest(text: string, dir: string, segmentStart: number): Track[] {
  const tracks = new Map<string, Track>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    if (e.event === 'track_ended') {
      // the end of the latest track of that name (a restarted capture may reuse a name)
      const track = typeof e.file === 'string' ? tracks.get(e.file) : undefined;
      const ended = time(e.at);
      const mediaAt = time(e.media_at);
      if (track && mediaAt !== undefined) track.offsetMs = Math.max(track.openedMs, Math.round(mediaAt - segmentStart));
      if (track && ended !== undefined) track.endedMs = Math.max(track.offsetMs, Math.round(ended - segmentStart));
      continue;
    }
    if (e.event !== 'track_started' || typeof e.file !== 'string' || typeof e.kind !== 'string' || !KINDS.has(e.kind)) continue;
    // a name, never a path: the manifest must not point the job at files elsewhere
    if (basename(e.file) !== e.file || e.file === 'manifest.jsonl' || e.file === 'closed') continue;
    const at = time(e.at) ?? segmentStart;
    const openedMs = Math.max(0, Math.round((time(e.opened_at) ?? at) - segmentStart));
    tracks.set(e.file, {
      file: join(dir, e.file),
      kind: e.kind as TrackKind,
      participantKey: typeof e.participant_key === 'string' ? e.participant_key : e.file,
      offsetMs: Math.max(openedMs, Math.round(at - segmentStart)),
      openedMs,
    });
  }
  return [...tracks.values()].sort((a, b) => a.offsetMs - b.offsetMs);
}

/** The manifest of a raw directory; none (the capture never started) is no tracks. */
export async function readManifest(dir: string, segmentStart: number): Promise<Track[]> {
  let text: string;
  try {
    text = await readFile(join(dir, 'manifest.jsonl'), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return parseManifest(text, dir, segmentStart);
}
