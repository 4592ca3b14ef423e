import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { openRuntime, type Runtime } from '../src/app/runtime.js';
import { deriveOpenId, deriveUnionId } from '../src/domain/ids.js';
import { TestStore, dialect } from './helpers/server.js';
import { fixture, fixtureSeed } from './helpers/fixture.js';

describe(`tenant isolation in the repositories (${dialect})`, () => {
  const store = new TestStore();
  let rt: Runtime;

  beforeAll(async () => {
    await store.prepare();
    rt = await openRuntime(store.config(), { logger: pino({ level: 'silent' }) });
    const seed = fixtureSeed();
    // The same user_id, email and department id in both tenants.
    seed.tenants[1]!.departments = [{ department_id: 'eng', name: 'Globex Engineering' }];
    seed.tenants[1]!.users!.push({ user_id: 'alice', name: 'Globex Alice', email: 'alice@acme.test', mobile: '+8613800000001', department_ids: ['eng'] });
    await rt.repos.directory.applySeed(seed);
  });
  afterAll(async () => {
    await rt.store.close();
    await store.dispose();
  });

  it('a directory bound to one tenant only ever returns that tenant’s rows', async () => {
    const acme = rt.repos.directory.forTenant('acme', fixture.acme.full.appId);
    const globex = rt.repos.directory.forTenant('globex', fixture.globex.full.appId);

    expect((await acme.userByUserId('alice'))?.name).toBe('Alice');
    expect((await globex.userByUserId('alice'))?.name).toBe('Globex Alice');
    expect(await acme.userByUserId('gina')).toBeUndefined();

    expect(await acme.userByUnionId(deriveUnionId('globex', 'gina'))).toBeUndefined();
    expect(await acme.userIdByOpenId(deriveOpenId(fixture.globex.full.appId, 'globex', 'gina'))).toEqual({ crossApp: false });
    expect(await acme.userIdByOpenId(deriveOpenId(fixture.acme.narrow.appId, 'acme', 'alice'))).toEqual({ crossApp: true });

    expect((await acme.usersByEmails(['alice@acme.test'])).map((u) => u.tenant_key)).toEqual(['acme']);
    expect((await globex.usersByMobiles(['+8613800000001'])).map((u) => u.name)).toEqual(['Globex Alice']);
    expect((await globex.departmentById('eng'))?.name).toBe('Globex Engineering');
    expect((await acme.departmentById('eng'))?.name).toBe('Engineering');
    expect((await globex.membersOf('eng', undefined, 100)).map((u) => u.user_id)).toEqual(['alice']);
    expect((await acme.userWithDepartments('gina'))).toBeUndefined();
    expect((await globex.userWithDepartments('alice'))?.departments.map((d) => d.id)).toEqual(['eng']);
    expect((await acme.activeUsers(1000)).every((u) => u.tenant_key === 'acme')).toBe(true);
  });
});
