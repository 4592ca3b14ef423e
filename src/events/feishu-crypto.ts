/**
 * Feishu's event encryption and request signature (event-delivery.md §4, §5): what an app's SDK
 * decrypts with its Encrypt Key and verifies before it hands an event to a handler.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-cbc';
const IV_BYTES = 16;

/** The AES key is the SHA-256 digest of the Encrypt Key string, not the string itself. */
const aesKey = (encryptKey: string): Buffer => createHash('sha256').update(encryptKey, 'utf8').digest();

/** base64(iv ‖ AES-256-CBC-PKCS#7(plaintext)); the IV is fresh per message unless a test pins it. */
export function encrypt(plaintext: string, encryptKey: string, iv: Buffer = randomBytes(IV_BYTES)): string {
  const cipher = createCipheriv(ALGORITHM, aesKey(encryptKey), iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]).toString('base64');
}

/** The inverse of `encrypt`; throws on a wrong key or a damaged ciphertext (bad padding). */
export function decrypt(encrypted: string, encryptKey: string): string {
  const buf = Buffer.from(encrypted, 'base64');
  const decipher = createDecipheriv(ALGORITHM, aesKey(encryptKey), buf.subarray(0, IV_BYTES));
  return Buffer.concat([decipher.update(buf.subarray(IV_BYTES)), decipher.final()]).toString('utf8');
}

/** Lowercase hex SHA-256 of timestamp + nonce + encrypt_key + body, over the body exactly as sent. */
export function signature(timestamp: string, nonce: string, encryptKey: string, body: string): string {
  return createHash('sha256').update(timestamp + nonce + encryptKey + body, 'utf8').digest('hex');
}

export interface SignatureHeaders {
  'X-Lark-Request-Timestamp': string;
  'X-Lark-Request-Nonce': string;
  'X-Lark-Signature': string;
}

/**
 * The three signature headers for one body. Without an Encrypt Key the signature is computed with an
 * empty key: receivers only check it when they have a key, and sending it always keeps one code path.
 */
export function signatureHeaders(body: string, encryptKey: string | null, now: number = Date.now()): SignatureHeaders {
  const timestamp = String(Math.floor(now / 1000));
  const nonce = randomBytes(8).toString('hex');
  return {
    'X-Lark-Request-Timestamp': timestamp,
    'X-Lark-Request-Nonce': nonce,
    'X-Lark-Signature': signature(timestamp, nonce, encryptKey ?? '', body),
  };
}
