/** Runs ffmpeg and ffprobe as child processes, bounded in time and output kept. */
import { spawn } from 'node:child_process';

export interface FfmpegOptions {
  /** the ffmpeg executable */
  ffmpeg: string;
  /** the ffprobe executable */
  ffprobe: string;
  /** encoder threads */
  threads: number;
}

/** ffmpeg ran and failed (or ran out of time): the recording cannot be made from these inputs. */
export class FfmpegError extends Error {
  override readonly name = 'FfmpegError';
}

const KEEP = 4000;

/**
 * Runs `cmd args`, resolving with its stdout; rejects with FfmpegError naming the end of stderr when it
 * fails, outlives `timeoutMs` or cannot be started. `signal` kills it at once (the job is stopping).
 */
export function run(cmd: string, args: string[], timeoutMs: number, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      err = (err + d.toString('utf8')).slice(-KEEP);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const abort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', abort, { once: true });
    child.on('error', (e) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      reject(new FfmpegError(`${cmd} could not be started: ${e.message}`));
    });
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      if (code === 0) return resolve(out);
      const why = timedOut ? `timed out after ${Math.round(timeoutMs / 1000)} s` : signal?.aborted ? 'stopped' : sig ? `killed by ${sig}` : `exit code ${code}`;
      reject(new FfmpegError(`${cmd} failed (${why})${err.trim() ? `: ${err.trim().split('\n').slice(-3).join(' | ')}` : ''}`));
    });
  });
}

/** The kinds of streams (audio, video) a media file holds; none when ffprobe cannot read it. */
export async function streamsOf(o: FfmpegOptions, file: string): Promise<Set<string>> {
  try {
    const json = await run(o.ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'json', file], 30_000);
    const parsed = JSON.parse(json) as { streams?: { codec_type?: string }[] };
    return new Set((parsed.streams ?? []).map((s) => s.codec_type ?? ''));
  } catch {
    return new Set();
  }
}
