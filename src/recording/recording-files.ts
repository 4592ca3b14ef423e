/** Where a recording's files live under the data directory, and the player URL's shape. */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

/** `<dataDir>/recordings/<id>`: `raw/` (the capture's tracks) and `recording.mp4` (the composed file). */
export function recordingDir(dataDir: string, id: string): string {
  return join(resolve(dataDir), 'recordings', id);
}

export const rawDirOf = (dataDir: string, id: string): string => join(recordingDir(dataDir, id), 'raw');
export const fileOf = (dataDir: string, id: string): string => join(recordingDir(dataDir, id), 'recording.mp4');

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A Minutes-shaped token (`obcn` + 20 lower-case letters and digits, like Feishu's): ~103 random bits. */
export function newUrlToken(): string {
  const bytes = randomBytes(20);
  return 'obcn' + Array.from(bytes, (b) => ALPHABET[b % 36]).join('');
}

export const URL_TOKEN = /^obcn[a-z0-9]{20}$/;

export const playerUrl = (publicUrl: string, token: string): string => `${publicUrl}/minutes/${token}`;
