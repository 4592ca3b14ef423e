import type * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkError, startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';

const EMPLOYEE_ID_SCOPE = 'contact:user.employee_id:readonly';
const USER_GET_SCOPES = ['contact:contact.base:readonly', 'contact:contact:readonly_as_app', 'contact:contact:readonly', 'contact:user.base:readonly'];
const OPEN_ID = /^ou_[0-9a-f]{32}$/;
const UNION_ID = /^on_[0-9a-f]{32}$/;
const OPEN_DEPT_ID = /^od-[0-9a-f]{32}$/;
const UNKNOWN_OPEN_ID = 'ou_00000000000000000000000000000000';
const UNKNOWN_UNION_ID = 'on_00000000000000000000000000000000';
/** The 26 direct members of 'big', in the server's (user_id) order. */
const BIG_MEMBERS = ['bob', ...Array.from({ length: 25 }, (_, i) => `member${String(i).padStart(2, '0')}`)];

type Client = lark.Client;
type User = NonNullable<NonNullable<Awaited<ReturnType<Client['contact']['user']['get']>>['data']>['user']>;

describe('contact v3 users', () => {
  let s: TestServer;
  let full: Client;
  let narrow: Client;
  let none: Client;
  let globex: Client;
  /** alice as the full app sees her */
  let alice: User;
  /** alice's open_id for the narrow app */
  let aliceNarrowOpenId: string;
  /** gina as globex's own app sees her */
  let gina: User;

  const getUser = async (client: Client, id: string, params: { user_id_type?: 'open_id' | 'union_id' | 'user_id'; department_id_type?: 'department_id' | 'open_department_id' } = {}): Promise<User> => {
    const res = await client.contact.user.get({ path: { user_id: id }, params });
    expect(res.code).toBe(0);
    expect(res.msg).toBe('success');
    const user = res.data?.user;
    expect(user).toBeDefined();
    return user as User;
  };

  beforeAll(async () => {
    s = await startTestServer();
    full = s.client(fixture.acme.full);
    narrow = s.client(fixture.acme.narrow);
    none = s.client(fixture.acme.none);
    globex = s.client(fixture.globex.full);
    alice = await getUser(full, 'alice', { user_id_type: 'user_id' });
    aliceNarrowOpenId = (await getUser(narrow, alice.union_id ?? '', { user_id_type: 'union_id' })).open_id ?? '';
    gina = await getUser(globex, 'gina', { user_id_type: 'user_id' });
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  describe('user.get and user_id_type', () => {
    it('returns the same person by open_id (the default), union_id and user_id', async () => {
      expect(alice.user_id).toBe('alice');
      expect(alice.name).toBe('Alice');
      expect(alice.open_id).toMatch(OPEN_ID);
      expect(alice.union_id).toMatch(UNION_ID);

      const byOpenId = await getUser(full, alice.open_id ?? '');
      const byOpenIdExplicit = await getUser(full, alice.open_id ?? '', { user_id_type: 'open_id' });
      const byUnionId = await getUser(full, alice.union_id ?? '', { user_id_type: 'union_id' });
      for (const u of [byOpenId, byOpenIdExplicit, byUnionId]) {
        expect(u.user_id).toBe('alice');
        expect(u.open_id).toBe(alice.open_id);
        expect(u.union_id).toBe(alice.union_id);
        expect(u.name).toBe('Alice');
        expect(u.email).toBe('alice@acme.test');
      }
    });

    it('gives each app its own open_id and both acme apps the same union_id', async () => {
      expect(aliceNarrowOpenId).toMatch(OPEN_ID);
      expect(aliceNarrowOpenId).not.toBe(alice.open_id);
      const viaNarrow = await getUser(narrow, aliceNarrowOpenId);
      expect(viaNarrow.name).toBe('Alice');
      expect(viaNarrow.open_id).toBe(aliceNarrowOpenId);
      expect(viaNarrow.union_id).toBe(alice.union_id);
    });

    it('different users have different IDs', async () => {
      const bob = await getUser(full, 'bob', { user_id_type: 'user_id' });
      expect(bob.name).toBe('Bob');
      expect(bob.open_id).toMatch(OPEN_ID);
      expect(bob.open_id).not.toBe(alice.open_id);
      expect(bob.union_id).not.toBe(alice.union_id);
    });

    it('department_id_type selects department_id or open_department_id (the default)', async () => {
      const plain = await getUser(full, 'bob', { user_id_type: 'user_id', department_id_type: 'department_id' });
      expect(plain.department_ids).toEqual(['eng', 'big']);
      const open = await getUser(full, 'bob', { user_id_type: 'user_id', department_id_type: 'open_department_id' });
      const byDefault = await getUser(full, 'bob', { user_id_type: 'user_id' });
      expect(open.department_ids).toHaveLength(2);
      for (const d of open.department_ids ?? []) expect(d).toMatch(OPEN_DEPT_ID);
      expect(open.department_ids?.[0]).not.toBe(open.department_ids?.[1]);
      expect(byDefault.department_ids).toEqual(open.department_ids);
      // alice is only in eng: her open department id is bob's first one
      const aliceOpen = await getUser(full, 'alice', { user_id_type: 'user_id' });
      expect(aliceOpen.department_ids).toEqual([open.department_ids?.[0]]);
    });

    it('rejects an unknown department_id_type', async () => {
      const e = await sdkError(full.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id', department_id_type: 'bogus' as 'department_id' } }));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99992402);
      expect(e.body.error.field_violations[0].field).toBe('department_id_type');
    });
  });

  describe('field scopes', () => {
    it('the narrow app (contact:user.base:readonly only) sees no user_id, email or mobile', async () => {
      const u = await getUser(narrow, aliceNarrowOpenId);
      expect(u.name).toBe('Alice');
      expect(u.union_id).toBe(alice.union_id);
      expect(u).not.toHaveProperty('user_id');
      expect(u).not.toHaveProperty('email');
      expect(u).not.toHaveProperty('mobile');
    });

    it('the full app sees user_id, email, mobile and employee_no', async () => {
      const u = await getUser(full, alice.open_id ?? '');
      expect(u.user_id).toBe('alice');
      expect(u.email).toBe('alice@acme.test');
      expect(u.mobile).toBe('+8613800000001');
      expect(u.employee_no).toBe('A1');
      expect(u.status).toEqual({ is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false });
    });

    it('user_id_type=user_id without contact:user.employee_id:readonly → 99991672 field_scope_required', async () => {
      const e = await sdkError(narrow.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } }));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99991672);
      expect(e.body.msg).toContain(EMPLOYEE_ID_SCOPE);
      expect(e.body.error.permission_violations).toEqual([{ type: 'field_scope_required', subject: EMPLOYEE_ID_SCOPE }]);
      expect(JSON.stringify(e.body)).not.toContain('Alice');
    });

    it('an app with no scopes → 99991672 naming the four accepted scopes', async () => {
      const e = await sdkError(none.contact.user.get({ path: { user_id: alice.union_id ?? '' }, params: { user_id_type: 'union_id' } }));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99991672);
      expect(e.body.msg).toMatch(/^Access denied\. One of the following scopes is required: \[/);
      for (const scope of USER_GET_SCOPES) expect(e.body.msg).toContain(scope);
      expect(e.body.msg).toContain(`[${USER_GET_SCOPES.join(', ')}]`);
      expect(e.body.error.permission_violations).toHaveLength(4);
      for (const v of e.body.error.permission_violations) expect(v.type).toBe('action_scope_required');
      expect(e.body.error.permission_violations.map((v: { subject: string }) => v.subject).sort()).toEqual([...USER_GET_SCOPES].sort());
      expect(JSON.stringify(e.body)).not.toContain('Alice');
    });
  });

  describe('unknown IDs', () => {
    it('unknown open_id → 99992351', async () => {
      const e = await sdkError(full.contact.user.get({ path: { user_id: UNKNOWN_OPEN_ID } }));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99992351);
      expect(e.body.msg).toContain(UNKNOWN_OPEN_ID);
    });

    it('unknown user_id → 99992360', async () => {
      const e = await sdkError(full.contact.user.get({ path: { user_id: 'nobody' }, params: { user_id_type: 'user_id' } }));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99992360);
      expect(e.body.msg).toContain('nobody');
    });

    it('unknown union_id → 99992363', async () => {
      const e = await sdkError(full.contact.user.get({ path: { user_id: UNKNOWN_UNION_ID }, params: { user_id_type: 'union_id' } }));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99992363);
      expect(e.body.msg).toContain(UNKNOWN_UNION_ID);
    });

    it('a user_id given as an open_id is not found as an open_id', async () => {
      const e = await sdkError(full.contact.user.get({ path: { user_id: 'alice' } }));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99992351);
      expect(e.body.msg).toContain('alice');
    });

    it("another app's open_id → 99992361 open_id cross app", async () => {
      const e = await sdkError(full.contact.user.get({ path: { user_id: aliceNarrowOpenId } }));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99992361);
      expect(e.body.msg).toContain('open_id cross app');
      expect(JSON.stringify(e.body)).not.toContain('Alice');
    });
  });

  describe('tenant isolation', () => {
    it("globex's own app sees gina", () => {
      expect(gina.name).toBe('Gina');
      expect(gina.user_id).toBe('gina');
      expect(gina.open_id).toMatch(OPEN_ID);
      expect(gina.union_id).toMatch(UNION_ID);
    });

    it('acme apps cannot see gina by user_id, union_id or open_id', async () => {
      const attempts: [Client, string, 'user_id' | 'union_id' | 'open_id', number][] = [
        [full, 'gina', 'user_id', 99992360],
        [full, gina.union_id ?? '', 'union_id', 99992363],
        [full, gina.open_id ?? '', 'open_id', 99992351],
        [narrow, gina.union_id ?? '', 'union_id', 99992363],
        [narrow, gina.open_id ?? '', 'open_id', 99992351],
      ];
      for (const [client, id, type, code] of attempts) {
        const e = await sdkError(client.contact.user.get({ path: { user_id: id }, params: { user_id_type: type } }));
        expect(e.status, `${type} ${id}`).toBe(400);
        expect(e.body.code, `${type} ${id}`).toBe(code);
        expect(JSON.stringify(e.body)).not.toContain('Gina');
        expect(JSON.stringify(e.body)).not.toContain('globex');
      }
    });

    it("batch_get_id from an acme app returns no user_id for gina's email or mobile", async () => {
      const res = await full.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data: { emails: ['gina@globex.test'], mobiles: ['+8613900000009', '13900000009'] } });
      expect(res.code).toBe(0);
      expect(res.data?.user_list).toEqual([{ email: 'gina@globex.test' }, { mobile: '+8613900000009' }, { mobile: '13900000009' }]);
    });

    it("an acme department listing never shows gina (both tenants' users without department sit in '0')", async () => {
      const res = await full.contact.user.findByDepartment({ params: { department_id: '0', user_id_type: 'user_id', page_size: 50 } });
      expect(res.code).toBe(0);
      const ids = res.data?.items?.map((u) => u.user_id) ?? [];
      expect(ids).toEqual(['carol']);
    });
  });

  describe('user.batchGetId', () => {
    it('matches emails case-insensitively and echoes them as given', async () => {
      const res = await full.contact.user.batchGetId({
        params: { user_id_type: 'user_id' },
        data: { emails: ['alice@acme.test', 'bob@acme.test', 'BOB@ACME.TEST', 'nobody@acme.test'] },
      });
      expect(res.code).toBe(0);
      const list = res.data?.user_list ?? [];
      expect(list.map((u) => [u.email, u.user_id])).toEqual([
        ['alice@acme.test', 'alice'],
        ['bob@acme.test', 'bob'],
        ['BOB@ACME.TEST', 'bob'],
        ['nobody@acme.test', undefined],
      ]);
      expect(list[3]).toEqual({ email: 'nobody@acme.test' });
      expect(list[0]?.status?.is_activated).toBe(true);
    });

    it('matches China mobiles with and without +86, other numbers only as given', async () => {
      const res = await full.contact.user.batchGetId({
        params: { user_id_type: 'user_id' },
        data: { mobiles: ['+8613800000001', '13800000001', '+14155550100', '14155550100', '+8613800000099'] },
      });
      expect(res.code).toBe(0);
      expect(res.data?.user_list?.map((u) => [u.mobile, u.user_id])).toEqual([
        ['+8613800000001', 'alice'],
        ['13800000001', 'alice'],
        ['+14155550100', 'bob'],
        ['14155550100', undefined],
        ['+8613800000099', undefined],
      ]);
    });

    it('returns emails first, then mobiles', async () => {
      const res = await full.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data: { mobiles: ['+14155550100'], emails: ['alice@acme.test'] } });
      expect(res.data?.user_list?.map((u) => u.user_id)).toEqual(['alice', 'bob']);
    });

    it('hides resigned users unless include_resigned is true', async () => {
      const hidden = await full.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data: { emails: ['carol@acme.test'] } });
      expect(hidden.data?.user_list).toEqual([{ email: 'carol@acme.test' }]);
      const explicitFalse = await full.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data: { emails: ['carol@acme.test'], include_resigned: false } });
      expect(explicitFalse.data?.user_list).toEqual([{ email: 'carol@acme.test' }]);
      const shown = await full.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data: { emails: ['carol@acme.test'], include_resigned: true } });
      const carol = shown.data?.user_list?.[0];
      expect(carol?.user_id).toBe('carol');
      expect(carol?.status?.is_resigned).toBe(true);
      expect(carol?.status?.is_activated).toBe(false);
    });

    it('answers in the requested user_id_type (open_id by default)', async () => {
      const data = { emails: ['alice@acme.test'] };
      const byDefault = await full.contact.user.batchGetId({ data });
      expect(byDefault.data?.user_list?.[0]?.user_id).toBe(alice.open_id);
      const asOpenId = await full.contact.user.batchGetId({ params: { user_id_type: 'open_id' }, data });
      expect(asOpenId.data?.user_list?.[0]?.user_id).toBe(alice.open_id);
      const asUnionId = await full.contact.user.batchGetId({ params: { user_id_type: 'union_id' }, data });
      expect(asUnionId.data?.user_list?.[0]?.user_id).toBe(alice.union_id);
      const asUserId = await full.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data });
      expect(asUserId.data?.user_list?.[0]?.user_id).toBe('alice');
    });

    it('51 emails → 99992402 naming emails', async () => {
      const emails = Array.from({ length: 51 }, (_, i) => `u${i}@acme.test`);
      const e = await sdkError(full.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data: { emails } }));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99992402);
      expect(e.body.msg).toContain('emails');
      expect(e.body.error.field_violations[0].field).toBe('emails');
      // 50 is still fine
      const ok = await full.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data: { emails: emails.slice(0, 50) } });
      expect(ok.code).toBe(0);
      expect(ok.data?.user_list).toHaveLength(50);
    });

    it('51 mobiles → 99992402 naming mobiles', async () => {
      const mobiles = Array.from({ length: 51 }, (_, i) => `+86138000001${String(i).padStart(2, '0')}`);
      const e = await sdkError(full.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data: { mobiles } }));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99992402);
      expect(e.body.error.field_violations[0].field).toBe('mobiles');
    });

    it('both lists empty or absent → 99992402', async () => {
      for (const data of [{ emails: [], mobiles: [] }, {}]) {
        const e = await sdkError(full.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data }));
        expect(e.status).toBe(400);
        expect(e.body.code).toBe(99992402);
        expect(e.body.error.field_violations.length).toBeGreaterThan(0);
      }
    });

    it('needs contact:user.id:readonly (the narrow app lacks it)', async () => {
      const e = await sdkError(narrow.contact.user.batchGetId({ data: { emails: ['alice@acme.test'] } }));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99991672);
      expect(e.body.error.permission_violations).toEqual([{ type: 'action_scope_required', subject: 'contact:user.id:readonly' }]);
    });
  });

  describe('user.findByDepartment paging', () => {
    const params = { department_id: 'big', department_id_type: 'department_id' as const, page_size: 10 };

    it('the SDK iterator yields all 26 members exactly once, in 3 pages', async () => {
      const pages: string[][] = [];
      for await (const page of await full.contact.user.findByDepartmentWithIterator({ params })) {
        expect(page).not.toBeNull();
        pages.push((page?.items ?? []).map((u) => u.user_id ?? ''));
      }
      expect(pages.map((p) => p.length)).toEqual([10, 10, 6]);
      const all = pages.flat();
      expect(new Set(all).size).toBe(26);
      expect(all).toEqual(BIG_MEMBERS);
    });

    it('manual paging: has_more and page_token, an empty page_token on the last page (as Feishu)', async () => {
      const seen: string[] = [];
      let token: string | undefined;
      const shapes: [boolean, boolean, number][] = [];
      for (let i = 0; i < 3; i++) {
        const res = await full.contact.user.findByDepartment({ params: { ...params, user_id_type: 'user_id', ...(token ? { page_token: token } : {}) } });
        expect(res.code).toBe(0);
        const data = res.data ?? {};
        shapes.push([data.has_more === true, 'page_token' in data, data.items?.length ?? 0]);
        seen.push(...(data.items ?? []).map((u) => u.user_id ?? ''));
        if (data.has_more) {
          expect(typeof data.page_token).toBe('string');
          expect(data.page_token).not.toBe('');
          expect(data.page_token).not.toBe(token);
        }
        token = data.page_token;
      }
      expect(shapes).toEqual([
        [true, true, 10],
        [true, true, 10],
        [false, true, 6],
      ]);
      expect(token).toBe('');
      expect(seen).toEqual(BIG_MEMBERS);
    });

    it('the default page size is 10 and items carry the full user, departments in department_id_type', async () => {
      const res = await full.contact.user.findByDepartment({ params: { department_id: 'big', department_id_type: 'department_id', user_id_type: 'user_id' } });
      expect(res.data?.items).toHaveLength(10);
      const bob = res.data?.items?.[0];
      expect(bob?.user_id).toBe('bob');
      expect(bob?.name).toBe('Bob');
      expect(bob?.open_id).toMatch(OPEN_ID);
      expect(bob?.email).toBe('bob@acme.test');
      expect(bob?.department_ids).toEqual(['eng', 'big']);
    });

    it('accepts an open_department_id (the default department_id_type)', async () => {
      const bob = await getUser(full, 'bob', { user_id_type: 'user_id' });
      const openBig = bob.department_ids?.[1] ?? '';
      expect(openBig).toMatch(OPEN_DEPT_ID);
      const res = await full.contact.user.findByDepartment({ params: { department_id: openBig, page_size: 50, user_id_type: 'user_id' } });
      expect(res.code).toBe(0);
      expect(res.data?.has_more).toBe(false);
      expect(res.data?.items?.map((u) => u.user_id)).toEqual(BIG_MEMBERS);
    });

    it('page_size 1 pages one by one', async () => {
      const first = await full.contact.user.findByDepartment({ params: { ...params, page_size: 1, user_id_type: 'user_id' } });
      expect(first.data?.items?.map((u) => u.user_id)).toEqual(['bob']);
      const second = await full.contact.user.findByDepartment({ params: { ...params, page_size: 1, user_id_type: 'user_id', page_token: first.data?.page_token ?? '' } });
      expect(second.data?.items?.map((u) => u.user_id)).toEqual(['member00']);
    });

    it('a garbage page_token → 99992402 naming page_token', async () => {
      const e = await sdkError(full.contact.user.findByDepartment({ params: { ...params, page_token: 'not-a-page-token' } }));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99992402);
      expect(e.body.msg).toContain('page_token');
      expect(e.body.error.field_violations[0].field).toBe('page_token');
    });

    it('page_size 51 → 99992402 naming page_size, 0 too', async () => {
      for (const page_size of [51, 0]) {
        const e = await sdkError(full.contact.user.findByDepartment({ params: { ...params, page_size } }));
        expect(e.status).toBe(400);
        expect(e.body.code).toBe(99992402);
        expect(e.body.msg).toContain('page_size');
        expect(e.body.error.field_violations[0].field).toBe('page_size');
      }
    });

    it('an unknown department → 99992402 naming department_id', async () => {
      const attempts = [
        { department_id: 'nope', department_id_type: 'department_id' as const },
        { department_id: 'od-00000000000000000000000000000000' },
        // a department ID is not an open_department_id
        { department_id: 'big', department_id_type: 'open_department_id' as const },
      ];
      for (const p of attempts) {
        const e = await sdkError(full.contact.user.findByDepartment({ params: p }));
        expect(e.status).toBe(400);
        expect(e.body.code).toBe(99992402);
        expect(e.body.error.field_violations[0].field).toBe('department_id');
      }
    });

    it("globex's app cannot list acme's department", async () => {
      const e = await sdkError(globex.contact.user.findByDepartment({ params }));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99992402);
      expect(JSON.stringify(e.body)).not.toContain('member');
    });
  });
});
