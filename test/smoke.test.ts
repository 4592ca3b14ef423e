import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';

describe('smoke', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
    await s.store.dispose();
  });

  it('the SDK gets a tenant token and reads a user', async () => {
    const client = s.client(fixture.acme.full);
    const res = await client.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } });
    expect(res.code).toBe(0);
    expect(res.data?.user?.name).toBe('Alice');
  });
});
