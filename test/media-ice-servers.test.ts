import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { iceConfigFor, turnCredential } from '../src/media/ice-servers.js';

describe('ICE servers handed to the page', () => {
  it('signs TURN credentials in the TURN REST API scheme: <expiry>:<id>, base64 HMAC-SHA1 of it', () => {
    const c = turnCredential('secret', 'ps_1', 1_800_000_000);
    expect(c.username).toBe('1800000000:ps_1');
    expect(c.credential).toBe(createHmac('sha1', 'secret').update('1800000000:ps_1').digest('base64'));
  });

  it('mints the credential at the moment asked, good for the configured time', () => {
    const options = { stunUrls: ['stun:stun.example.com:3478'], turnUrls: ['turn:turn.example.com:3478?transport=udp'], turnSecret: 'secret', turnTtlS: 600, transportPolicy: 'all' as const };
    const first = iceConfigFor(options, 'ps_1', 1_800_000_000_500);
    expect(first).toEqual({
      ice_servers: [{ urls: ['stun:stun.example.com:3478'] }, { urls: ['turn:turn.example.com:3478?transport=udp'], ...turnCredential('secret', 'ps_1', 1_800_000_600) }],
      ice_transport_policy: 'all',
    });
    expect(iceConfigFor(options, 'ps_1', 1_800_000_060_000).ice_servers[1]!.username).toBe('1800000660:ps_1');
    expect(iceConfigFor({ ...options, stunUrls: [], turnUrls: [] }, 'ps_1', 0).ice_servers).toEqual([]);
  });
});
