import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes: scrypt from node:crypto, stored as a PHC string
 * `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt>$<hash>` (salt and hash in unpadded standard base64), so that the
 * cost can be raised later without breaking stored hashes.
 *
 * Cost: N = 2^14, r = 8, p = 1 (16 MiB, scrypt's "interactive login" setting): ~30 ms a hash on this
 * 2-core machine, inside the 50 ms sign-in budget (bench/sign-in.ts, docs/decisions.md "Sign-in").
 */
export const PASSWORD_COST = { ln: 14, r: 8, p: 1 } as const;
const KEY_LEN = 32;
const SALT_LEN = 16;
/** Hashes from a seed may name their own cost; this caps what one verification may cost (2^17 x 8: 128 MiB). */
const MAX_LN = 17;
const MAX_R = 16;
const MAX_P = 4;

export const PASSWORD_HASH_PATTERN = '^\\$scrypt\\$ln=[0-9]{1,2},r=[0-9]{1,2},p=[0-9]{1,2}\\$[A-Za-z0-9+/]{16,88}\\$[A-Za-z0-9+/]{43,88}$';
const HASH_RE = /^\$scrypt\$ln=([0-9]{1,2}),r=([0-9]{1,2}),p=([0-9]{1,2})\$([A-Za-z0-9+/]{16,88})\$([A-Za-z0-9+/]{43,88})$/;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

function derive(password: string, salt: Buffer, keyLen: number, cost: { ln: number; r: number; p: number }): Promise<Buffer> {
  const N = 2 ** cost.ln;
  const opts: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r };
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, keyLen, opts, (err, key) => (err ? reject(err) : resolve(key))));
}

const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LEN);
  const key = await derive(password, salt, KEY_LEN, PASSWORD_COST);
  return `$scrypt$ln=${PASSWORD_COST.ln},r=${PASSWORD_COST.r},p=${PASSWORD_COST.p}$${b64(salt)}$${b64(key)}`;
}

/** Why a stored hash cannot be used, or undefined when it can. */
export function passwordHashProblem(hash: string): string | undefined {
  const m = HASH_RE.exec(hash);
  if (!m) return 'not a $scrypt$ln=…,r=…,p=…$<salt>$<hash> string';
  const [ln, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (ln < 10 || ln > MAX_LN || r < 1 || r > MAX_R || p < 1 || p > MAX_P) return `cost out of range (ln 10..${MAX_LN}, r 1..${MAX_R}, p 1..${MAX_P})`;
  return undefined;
}

/** True when `password` matches `hash`; false for a wrong password or an unusable hash. */
export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (passwordHashProblem(hash)) return false;
  const m = HASH_RE.exec(hash)!;
  const expected = Buffer.from(m[5]!, 'base64');
  const key = await derive(password, Buffer.from(m[4]!, 'base64'), expected.length, { ln: Number(m[1]), r: Number(m[2]), p: Number(m[3]) });
  return timingSafeEqual(key, expected);
}

/** A hash of nothing anyone knows: verified against when the user has no password, so that the answer takes as long. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

export function passwordProblem(password: string): string | undefined {
  if (password.length < PASSWORD_MIN_LENGTH) return `a password needs at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `a password has at most ${PASSWORD_MAX_LENGTH} characters`;
  return undefined;
}
