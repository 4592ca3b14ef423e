import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import pino from 'pino';
import * as lark from '@larksuiteoapi/node-sdk';
import { startServer, type RunningServer } from '../src/app/runtime.js';
import { TestStore, sdkClient } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';

describe('secrets and tokens never reach the logs', () => {
  const store = new TestStore();
  const lines: string[] = [];
  let s: RunningServer;

  beforeAll(async () => {
    await store.prepare();
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const { fixtureSeed } = await import('./helpers/fixture.js');
    const seed = store.file('seed.json', JSON.stringify(fixtureSeed()));
    s = await startServer(store.config({ seed, logLevel: 'trace' }), { logger: pino({ level: 'trace' }, sink) });
  });
  afterAll(async () => {
    await s.close();
    await store.dispose();
  });

  it('logs requests at trace level without any credential in them', async () => {
    const client = sdkClient(s.url, fixture.acme.full);
    await client.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } });
    const tokenRes = await fetch(`${s.url}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: fixture.acme.full.appId, app_secret: fixture.acme.full.appSecret }),
    });
    const tenantToken = ((await tokenRes.json()) as { tenant_access_token: string }).tenant_access_token;
    const code = await s.runtime.tokens.createCode((await s.runtime.repos.apps.find(fixture.acme.full.appId))!, 'alice', ['contact:user.base:readonly'], {});
    const exchanged = await client.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } });
    const userToken = exchanged.data!.access_token!;
    await client.authen.userInfo.get({}, lark.withUserAccessToken(userToken));
    await fetch(`${s.url}/open-apis/contact/v3/users/alice`, { headers: { authorization: 'Bearer t-not-a-real-token' } });
    await fetch(`${s.url}/open-apis/auth/v3/tenant_access_token/internal`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ app_id: fixture.acme.full.appId, app_secret: 'wrong-secret-value' }),
    });

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(5);
    for (const secret of [fixture.acme.full.appSecret, 'wrong-secret-value', tenantToken, userToken, exchanged.data!.refresh_token!, code, 't-not-a-real-token']) {
      expect(log).not.toContain(secret);
    }
  });
});
