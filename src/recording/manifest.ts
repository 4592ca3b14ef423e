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
  /** when the track started, in ms from the segment's start (never negative) */
  offsetMs: number;
}

const KINDS = new Set<string>(['audio', 'video', 'screen']);

/**
 * The tracks a manifest names, in the order they started. Lines that do not parse (a process died
 * mid-line) and files outside the directory are skipped; a track without `track_ended` runs to its
 * file's own end, so the end lines are not needed to compose.
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
    if (e.event !== 'track_started' || typeof e.file !== 'string' || typeof e.kind !== 'string' || !KINDS.has(e.kind)) continue;
    // a name, never a path: the manifest must not point the job at files elsewhere
    if (basename(e.file) !== e.file || e.file === 'manifest.jsonl' || e.file === 'closed') continue;
    const at = typeof e.at === 'number' && Number.isFinite(e.at) ? e.at : segmentStart;
    tracks.set(e.file, {
      file: join(dir, e.file),
      kind: e.kind as TrackKind,
      participantKey: typeof e.participant_key === 'string' ? e.participant_key : e.file,
      offsetMs: Math.max(0, Math.round(at - segmentStart)),
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
