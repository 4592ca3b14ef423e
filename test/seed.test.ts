import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseSeed, SeedError } from '../src/domain/seed.js';
import { deriveOpenId, deriveUnionId } from '../src/domain/ids.js';
import { openRuntime, type Runtime } from '../src/app/runtime.js';
import { TestStore, dialect, sdkClient, startTestServer } from './helpers/server.js';
import { fixture, fixtureSeed } from './helpers/fixture.js';
import pino from 'pino';
import { cliArgv } from './helpers/cli.js';

const run = promisify(execFile);

function problems(input: unknown): string[] {
  try {
    parseSeed(input);
  } catch (e) {
    if (e instanceof SeedError) return e.problems;
    throw e;
  }
  return [];
}

describe('seed validation names the offending path', () => {
  it('accepts the fixture', () => {
    expect(problems(fixtureSeed())).toEqual([]);
  });

  it('rejects unknown keys and wrong types', () => {
    const seed = fixtureSeed() as unknown as { tenants: Record<string, unknown>[] };
    (seed.tenants[0] as Record<string, unknown>).colour = 'red';
    ((seed.tenants[0]?.users as Record<string, unknown>[])[0] as Record<string, unknown>).name = 42;
    const p = problems(seed);
    expect(p).toContain('$.tenants[0].colour: Unexpected property');
    expect(p.some((l) => l.startsWith('$.tenants[0].users[0].name:'))).toBe(true);
  });

  it('rejects dangling references, duplicates and cycles', () => {
    const p = problems({
      tenants: [
        {
          tenant_key: 't1',
          name: 'T',
          departments: [
            { department_id: 'a', name: 'A', parent_department_id: 'b' },
            { department_id: 'b', name: 'B', parent_department_id: 'a' },
            { department_id: 'c', name: 'C', parent_department_id: 'nope' },
          ],
          users: [
            { user_id: 'u1', name: 'U', email: 'x@t.test', department_ids: ['zzz'] },
            { user_id: 'u1', name: 'U2', email: 'X@t.test' },
          ],
          apps: [{ app_id: 'cli_dup00001', app_secret: 'secret-123', name: 'A', scopes: [] }],
        },
        { tenant_key: 't1', name: 'again', apps: [{ app_id: 'cli_dup00001', app_secret: 'secret-123', name: 'A', scopes: [] }] },
      ],
    });
    expect(p).toEqual(
      expect.arrayContaining([
        '$.tenants[0].departments[0].parent_department_id: cycle through "a"',
        '$.tenants[0].users[1].user_id: duplicate "u1"',
        '$.tenants[0].users[1].email: "X@t.test" is already used by users[0]',
        '$.tenants[1].tenant_key: duplicate tenant_key "t1"',
        '$.tenants[1].apps[0].app_id: duplicate app_id "cli_dup00001"',
      ]),
    );
  });

  it('reports shape errors, duplicates, unknown scopes and events, and dangling departments in one pass', () => {
    const input = {
      tenants: [
        {
          tenant_key: 't1',
          name: 'T',
          colour: 'red',
          departments: [{ department_id: 'a', name: 'A', parent_department_id: 'gone' }],
          users: [
            { user_id: 'u1', name: 42, department_ids: ['a', 'old', 'missing'] },
            { user_id: 'u1', name: 'U2' },
          ],
          apps: [{ app_id: 'cli_app00001', app_secret: 'secret-123', name: 'A', scopes: ['vc:meeting:readonly', 'vc:meetin:readonly'], events: { subscribe: ['vc.meeting.meeting_started_v1', 'vc.meeting.nothing_v1'] } }],
        },
      ],
    };
    let err: unknown;
    try {
      parseSeed(input, (tk) => (tk === 't1' ? new Set(['old']) : undefined));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SeedError);
    const p = (err as SeedError).problems;
    expect(p).toEqual(
      expect.arrayContaining([
        '$.tenants[0].colour: Unexpected property',
        '$.tenants[0].users[1].user_id: duplicate "u1"',
        '$.tenants[0].departments[0].parent_department_id: unknown department "gone" (declare it in departments, or create it first)',
        '$.tenants[0].users[0].department_ids[2]: unknown department "missing" (declare it in departments, or create it first)',
        '$.tenants[0].apps[0].events.subscribe[1]: unknown event type "vc.meeting.nothing_v1"',
      ]),
    );
    expect(p.some((l) => l.startsWith('$.tenants[0].users[0].name:'))).toBe(true);
    expect(p.some((l) => l.startsWith('$.tenants[0].apps[0].scopes[1]: unknown scope "vc:meetin:readonly"'))).toBe(true);
    // Known ones are not reported: the department the store has, the declared one, the right scope.
    expect(p.join('\n')).not.toMatch(/"old"|department "a"|scopes\[0\]|subscribe\[0\]/);
  });
});

describe(`seeding a ${dialect} store`, () => {
  const store = new TestStore();
  let rt: Runtime;

  beforeAll(async () => {
    await store.prepare();
    rt = await openRuntime(store.config(), { logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    await rt.store.close();
    await store.dispose();
  });

  it('is idempotent and derives stable IDs', async () => {
    const first = await rt.repos.directory.applySeed(fixtureSeed());
    const again = await rt.repos.directory.applySeed(fixtureSeed());
    expect(again).toEqual(first);
    const users = await rt.store.db.selectFrom('users').select(['user_id', 'union_id']).where('tenant_key', '=', 'acme').execute();
    expect(users).toHaveLength(28);
    for (const u of users) expect(u.union_id).toBe(deriveUnionId('acme', u.user_id));
    const openIds = await rt.store.db.selectFrom('open_ids').selectAll().where('tenant_key', '=', 'acme').execute();
    expect(openIds).toHaveLength(28 * 3);
    for (const o of openIds) expect(o.open_id).toBe(deriveOpenId(o.app_id, 'acme', o.user_id));
  });

  it('derives the same IDs in every store (not random)', () => {
    expect(deriveOpenId('cli_x', 'acme', 'alice')).toBe(deriveOpenId('cli_x', 'acme', 'alice'));
    expect(deriveOpenId('cli_x', 'acme', 'alice')).toMatch(/^ou_[0-9a-f]{32}$/);
    expect(deriveUnionId('acme', 'alice')).toMatch(/^on_[0-9a-f]{32}$/);
    expect(deriveOpenId('cli_x', 'acme', 'alice')).not.toBe(deriveOpenId('cli_y', 'acme', 'alice'));
  });

  it('checks department references against the store, so a later seed may use earlier departments', async () => {
    const later = { tenants: [{ tenant_key: 'acme', name: 'Acme Inc', users: [{ user_id: 'lena', name: 'Lena', department_ids: ['eng'] }] }] };
    await rt.repos.directory.applySeed(parseSeed(later));
    const bad = {
      tenants: [
        {
          tenant_key: 'acme',
          name: 'Acme Inc',
          departments: [{ department_id: 'ops', name: 'Ops', parent_department_id: 'nope' }],
          users: [{ user_id: 'mo', name: 'Mo', department_ids: ['eng', 'zzz'] }],
        },
      ],
    };
    const err = await rt.repos.directory.applySeed(parseSeed(bad)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SeedError);
    expect((err as SeedError).problems).toEqual([
      'tenant acme: departments[0].parent_department_id: unknown department "nope"',
      'tenant acme: users[0].department_ids[1]: unknown department "zzz"',
    ]);
    expect(await rt.store.db.selectFrom('departments').select('department_id').where('department_id', '=', 'ops').executeTakeFirst()).toBeUndefined();
    await rt.store.db.deleteFrom('user_departments').where('user_id', '=', 'lena').execute();
    await rt.store.db.deleteFrom('users').where('user_id', '=', 'lena').execute();
  });

  it('applies all or nothing', async () => {
    const before = await rt.store.db.selectFrom('users').select('user_id').execute();
    const bad = {
      tenants: [
        { tenant_key: 'newco', name: 'NewCo', users: [{ user_id: 'nina', name: 'Nina' }] },
        // an app id that already belongs to acme cannot move to another tenant
        { tenant_key: 'thief', name: 'Thief', apps: [{ app_id: fixture.acme.full.appId, app_secret: 'x-secret-1', name: 'stolen', scopes: [] }] },
      ],
    };
    await expect(rt.repos.directory.applySeed(parseSeed(bad))).rejects.toThrow(SeedError);
    const after = await rt.store.db.selectFrom('users').select('user_id').execute();
    expect(after).toHaveLength(before.length);
    expect(await rt.store.db.selectFrom('tenants').select('tenant_key').where('tenant_key', '=', 'newco').executeTakeFirst()).toBeUndefined();
  });
});

describe(`openvc seed (CLI) on a running ${dialect} server`, () => {
  const cli = (...args: string[]) => run(process.execPath, cliArgv(...args), { cwd: process.cwd() });

  it('applies a seed to the running server and refuses a malformed one without changing anything', async () => {
    const s = await startTestServer();
    try {
      const client = sdkClient(s.url, fixture.acme.full);
      const get = async (userId: string) => (await client.contact.user.get({ path: { user_id: userId }, params: { user_id_type: 'user_id', department_id_type: 'department_id' } })).data?.user;
      // Read alice first so the server holds her in its directory cache.
      expect((await get('alice'))?.name).toBe('Alice');
      const extra = {
        tenants: [
          {
            tenant_key: 'acme',
            name: 'Acme Inc',
            users: [
              { user_id: 'zed', name: 'Zed', email: 'zed@acme.test' },
              { user_id: 'alice', name: 'Alice Renamed', email: 'alice@acme.test', department_ids: ['big'] },
            ],
          },
        ],
      };
      const good = s.store.file('extra.json', JSON.stringify(extra));
      const ok = await cli('seed', good, ...s.store.cliArgs());
      expect(ok.stdout).toContain('seeded 1 tenant(s), 0 department(s), 2 user(s), 0 app(s)');
      expect((await get('zed'))?.email).toBe('zed@acme.test');
      // Another process changed a cached user: the server sees it at once (the seed's commit bumped the
      // tenant's directory version, which every cached read checks first).
      await expect.poll(async () => (await get('alice'))?.name, { timeout: 10_000, interval: 20 }).toBe('Alice Renamed');
      expect((await get('alice'))?.department_ids).toEqual(['big']);

      const broken = s.store.file('broken.json', JSON.stringify({ tenants: [{ tenant_key: 'acme', name: 'Acme', users: [{ user_id: 'yan', name: 'Yan', shoe_size: 9 }] }] }));
      const err = await cli('seed', broken, ...s.store.cliArgs()).catch((e: { code: number; stderr: string }) => e);
      expect('code' in err && err.code).toBe(2);
      expect((err as { stderr: string }).stderr).toContain('$.tenants[0].users[0].shoe_size: Unexpected property');
      // Every kind of problem comes back from one run, the store's departments included.
      const many = s.store.file(
        'many.json',
        JSON.stringify({
          tenants: [
            {
              tenant_key: 'acme',
              name: 'Acme',
              users: [
                { user_id: 'yan', name: 'Yan', shoe_size: 9, department_ids: ['big', 'nowhere'] },
                { user_id: 'yan', name: 'Yan again' },
              ],
              apps: [{ app_id: 'cli_many0001', app_secret: 'secret-123', name: 'M', scopes: ['vc:meeting:readonly', 'vc:everything'] }],
            },
          ],
        }),
      );
      const err3 = await cli('seed', many, ...s.store.cliArgs()).catch((e: { code: number; stderr: string }) => e);
      const stderr3 = (err3 as { stderr: string }).stderr;
      expect(stderr3).toContain('$.tenants[0].users[0].shoe_size: Unexpected property');
      expect(stderr3).toContain('$.tenants[0].users[1].user_id: duplicate "yan"');
      expect(stderr3).toContain('$.tenants[0].users[0].department_ids[1]: unknown department "nowhere"');
      expect(stderr3).not.toContain('"big"');
      expect(stderr3).toContain('$.tenants[0].apps[0].scopes[1]: unknown scope "vc:everything"');
      const notJson = s.store.file('notjson.json', '{"tenants": [');
      const err2 = await cli('seed', notJson, ...s.store.cliArgs()).catch((e: { code: number; stderr: string }) => e);
      expect((err2 as { stderr: string }).stderr).toContain('not valid JSON');
      const missing = await s.runtime.store.db.selectFrom('users').select('user_id').where('user_id', '=', 'yan').executeTakeFirst();
      expect(missing).toBeUndefined();
    } finally {
      await s.close();
      await s.store.dispose();
    }
  });
});
