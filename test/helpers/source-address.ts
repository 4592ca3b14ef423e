import { request } from 'node:http';

export interface FromResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, any>;
}

/**
 * An HTTP request sent from a chosen loopback address (127.0.0.0/8 all reaches the server on 127.0.0.1), so a
 * test can play several clients, an attacker and a bystander, against the server's per-address limits.
 */
export function requestFrom(localAddress: string, url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<FromResponse> {
  const payload = init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const headers: Record<string, string> = { ...(payload !== undefined && typeof init.body !== 'string' ? { 'content-type': 'application/json; charset=utf-8' } : {}), ...init.headers };
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? (payload === undefined ? 'GET' : 'POST'), headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: Record<string, any>;
        try {
          body = JSON.parse(text) as Record<string, any>;
        } catch {
          body = { text };
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}
