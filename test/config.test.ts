import { describe, expect, it } from 'vitest';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, configTable, loadConfig, publicUrlOf, resolveConfig } from '../src/config/config.js';

describe('config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'openvc-config-'));
  const file = join(dir, 'openvc.json');
  writeFileSync(file, JSON.stringify({ port: 7000, host: '0.0.0.0', logLevel: 'warn' }));

  it('prints every default readably in the README table (objects as JSON)', () => {
    const table = configTable();
    expect(table).not.toContain('[object Object]');
    expect(table).toMatch(/\| `rateLimits` \|.*\| `\{\}` \|/);
  });

  it('has working defaults', () => {
    const c = resolveConfig({});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, dataDir: './data', demo: true, rateLimit: true });
    expect(publicUrlOf(c)).toBe('http://127.0.0.1:8080');
  });

  it('takes flags over env over file', () => {
    const env = { OPENVC_CONFIG: file, OPENVC_PORT: '7100', OPENVC_RATE_LIMIT: 'false' };
    expect(loadConfig({}, env)).toMatchObject({ port: 7100, host: '0.0.0.0', logLevel: 'warn', rateLimit: false });
    expect(loadConfig({ port: '7200' }, env)).toMatchObject({ port: 7200, host: '0.0.0.0' });
    expect(loadConfig({ config: file }, {})).toMatchObject({ port: 7000 });
  });

  it('names the bad field, its source flag and env variable', () => {
    expect(() => loadConfig({ port: 'eighty' }, {})).toThrow(/port: .*"eighty".*--port \/ OPENVC_PORT/);
    expect(() => loadConfig({}, { OPENVC_DATABASE_URL: 'mysql://x' })).toThrow(/databaseUrl: .*--database-url \/ OPENVC_DATABASE_URL/);
    expect(() => loadConfig({ publicUrl: 'http://x/' }, {})).toThrow(ConfigError);
  });

  it('reads per-method rate limits as JSON from a flag or the environment, and checks the method ids', () => {
    expect(loadConfig({}, { OPENVC_RATE_LIMITS: '{"contact.user.get":{"perMinute":7}}' }).rateLimits).toEqual({ 'contact.user.get': { perMinute: 7 } });
    expect(() => loadConfig({ rateLimits: '{"contact.user.nope":{"perMinute":7}}' }, {})).toThrow(/unknown method id\(s\) contact.user.nope/);
    expect(() => loadConfig({ rateLimits: '{"contact.user.get":{"perMinute":0}}' }, {})).toThrow(/rateLimits.contact.user.get.perMinute/);
    expect(() => loadConfig({ rateLimits: '{oops' }, {})).toThrow(/rateLimits: not valid JSON/);
  });

  it('sizes the PostgreSQL pool from a flag or the environment, within bounds', () => {
    expect(resolveConfig({}).databasePoolSize).toBe(10);
    expect(loadConfig({}, { OPENVC_DATABASE_POOL_SIZE: '40' }).databasePoolSize).toBe(40);
    expect(loadConfig({ databasePoolSize: '25' }, { OPENVC_DATABASE_POOL_SIZE: '40' }).databasePoolSize).toBe(25);
    expect(() => loadConfig({ databasePoolSize: '0' }, {})).toThrow(/databasePoolSize: .*--database-pool-size \/ OPENVC_DATABASE_POOL_SIZE/);
  });

  it('checks the STUN/TURN settings handed to the meeting page', () => {
    const env = { OPENVC_MEDIA_TURN_URLS: 'turn:turn.example.com:3478?transport=udp, turns:turn.example.com:5349?transport=tcp', OPENVC_MEDIA_TURN_SECRET: 'a-secret-of-enough-length' };
    expect(loadConfig({ mediaIceTransportPolicy: 'relay', mediaStunUrls: 'stun:stun.example.com:3478' }, env)).toMatchObject({ mediaTurnTtl: 86_400, mediaIceTransportPolicy: 'relay' });
    expect(() => loadConfig({}, { OPENVC_MEDIA_TURN_URLS: env.OPENVC_MEDIA_TURN_URLS })).toThrow(/mediaTurnUrls needs mediaTurnSecret \[--media-turn-secret/);
    expect(() => loadConfig({ mediaIceTransportPolicy: 'relay' }, {})).toThrow(/relay needs mediaTurnUrls/);
    expect(() => loadConfig({ mediaTurnUrls: 'https://turn.example.com' }, env)).toThrow(/mediaTurnUrls: .*--media-turn-urls/);
    expect(() => loadConfig({ mediaStunUrls: 'turn:x:3478' }, {})).toThrow(/mediaStunUrls: /);
    expect(() => loadConfig({ mediaTurnSecret: 'short' }, {})).toThrow(/mediaTurnSecret: /);
    expect(() => loadConfig({ mediaTurnTtl: '10' }, {})).toThrow(/mediaTurnTtl: /);
    expect(() => loadConfig({ mediaIceTransportPolicy: 'none' }, {})).toThrow(/mediaIceTransportPolicy: /);
  });

  it('rejects unknown keys and unreadable files', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ prot: 1 }));
    expect(() => loadConfig({ config: bad }, {})).toThrow(/prot: Unexpected property/);
    writeFileSync(bad, '{nope');
    expect(() => loadConfig({ config: bad }, {})).toThrow(/config file .*bad.json/);
    expect(() => loadConfig({ config: join(dir, 'missing.json') }, {})).toThrow(ConfigError);
  });
});
