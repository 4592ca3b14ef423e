import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import * as lark from '@larksuiteoapi/node-sdk';
import { TestStore, dialect, sdkClient } from './helpers/server.js';
import { postSignIn } from './helpers/sign-in.js';
import { openStore } from '../src/store/database.js';
import { cliArgv } from './helpers/cli.js';

interface Banner {
  url: string;
  appId: string;
  appSecret: string;
  userToken: string;
  password: string;
}

/** Starts `openvc serve` as a user would and reads what it prints. */
function serve(store: TestStore, extra: string[] = []): Promise<{ child: ChildProcess; banner: Banner; output: () => string }> {
  const child = spawn(process.execPath, cliArgv('serve', '--port', '0', ...store.cliArgs(), ...extra), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, OPENVC_LOG_LEVEL: 'info' },
  });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = {
        url: /listening on (\S+)/.exec(out)?.[1],
        appId: /app_id:\s+(\S+)/.exec(out)?.[1],
        appSecret: /app_secret:\s+(\S+)/.exec(out)?.[1],
        userToken: /user_access_token:\s+(\S+)/.exec(out)?.[1],
        password: /password: (\S+)/.exec(out)?.[1],
      };
      if (m.url && m.appId && m.appSecret && m.userToken && m.password) resolve({ child, banner: m as Banner, output: () => out });
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${out}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

describe(`openvc serve prints working demo credentials (${dialect})`, () => {
  const store = new TestStore();
  afterAll(() => store.dispose());

  it('creates the demo tenant once, and the printed credentials work with the SDK', async () => {
    await store.prepare();
    const first = await serve(store);
    const { banner } = first;
    expect(banner.appId).toMatch(/^cli_[0-9a-f]{16}$/);
    expect(first.output()).toContain(`${banner.url}/openapi.json`);

    const client = sdkClient(banner.url, banner);
    const alice = await client.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } });
    expect(alice.data?.user?.name).toBe('Alice Zhang');
    const me = await client.authen.userInfo.get({}, lark.withUserAccessToken(banner.userToken));
    expect(me.data?.user_id).toBe('alice');
    // A newcomer signs in to the demo with the printed password.
    expect((await postSignIn(banner.url, { tenant: 'demo', login: 'bob', password: banner.password })).status).toBe(303);
    expect((await postSignIn(banner.url, { tenant: 'demo', login: 'bob', password: banner.password + 'x' })).status).toBe(401);
    // Structured logs: one JSON line per request, with the log id clients see.
    const logged = () =>
      first
        .output()
        .split('\n')
        .filter((l) => l.includes('"msg":"request"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .some((l) => l.url === '/open-apis/contact/v3/users/:user_id' && l.status === 200 && /^\d{14}[0-9A-F]{20}$/.test(String(l.log_id)));
    // The child's stdout reaches this process a moment after the response does.
    await expect.poll(logged, { timeout: 10_000 }).toBe(true);
    expect(await stop(first.child)).toBe(0);

    // As a demo store made before sign-in and registered redirects was: no passwords, no redirect URIs.
    const old = openStore(store.config());
    await old.db.deleteFrom('user_passwords').execute();
    await old.db.updateTable('apps').set({ redirect_uris: '[]' }).execute();
    await old.close();

    const second = await serve(store, ['--dev-pick-user']);
    const link = /sign in \(OAuth\):\s+(\S+)/.exec(second.output())?.[1];
    expect([200, 302]).toContain((await fetch(link!, { redirect: 'manual' })).status);
    expect(second.output()).toContain('WARNING: devPickUser is on');
    expect(first.output()).not.toContain('WARNING: devPickUser');
    expect(second.banner.password).toBe(banner.password);
    expect((await postSignIn(second.banner.url, { tenant: 'demo', login: 'carol', password: banner.password })).status).toBe(303);
    expect(second.banner.appId).toBe(banner.appId);
    expect(second.banner.appSecret).toBe(banner.appSecret);
    // Tokens survive the restart.
    const again = await sdkClient(second.banner.url, banner).authen.userInfo.get({}, lark.withUserAccessToken(banner.userToken));
    expect(again.data?.open_id).toBe(me.data?.open_id);
    expect(await stop(second.child)).toBe(0);
  }, 120_000);

  it('refuses a bad flag value with a message naming it, before touching the store', async () => {
    const child = spawn(process.execPath, cliArgv('serve', '--port', 'http', ...store.cliArgs()), { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toContain('port');
    expect(err).toContain('OPENVC_PORT');
  }, 30_000);
});
