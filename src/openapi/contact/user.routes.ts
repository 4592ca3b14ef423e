import type { FastifyRequest } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { apiError } from '../../contract/errors.js';
import { UserIdTypeParam, userIdMapper, type UserIdType } from '../../domain/identity/user-ids.js';
import { principalOf } from '../../http/auth.js';
import type { AppContext } from '../../http/context.js';
import { decodePageToken } from '../../contract/page-token.js';
import { PageSize, PageToken, pageOf } from '../../http/pagination.js';
import type { RouteRegistrar } from '../../http/routes.js';
import { ContactUser, DepartmentIdTypeParam, UserStatus, departmentIdsAs, presentUser, statusOf, type DepartmentIdType } from './user.presenter.js';

const GetQuery = Type.Object({ user_id_type: UserIdTypeParam, department_id_type: DepartmentIdTypeParam });
const BatchQuery = Type.Object({ user_id_type: UserIdTypeParam });
const BatchBody = Type.Object({
  emails: Type.Optional(Type.Array(Type.String({ maxLength: 255 }), { maxItems: 50 })),
  mobiles: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 50 })),
  include_resigned: Type.Optional(Type.Boolean()),
});
const ListQuery = Type.Object({
  department_id: Type.String({ minLength: 1, maxLength: 64 }),
  user_id_type: UserIdTypeParam,
  department_id_type: DepartmentIdTypeParam,
  page_size: PageSize(10, 50),
  page_token: PageToken,
});

type GetReq = FastifyRequest<{ Params: { user_id: string }; Querystring: Static<typeof GetQuery> }>;
type BatchReq = FastifyRequest<{ Querystring: { user_id_type?: UserIdType }; Body?: Static<typeof BatchBody> }>;
type ListReq = FastifyRequest<{ Querystring: Static<typeof ListQuery> }>;

/** China numbers may be given without +86 (Feishu accepts both forms in batch_get_id). */
const mobileForms = (m: string): string[] => (m.startsWith('+') ? [m] : [m, `+86${m}`]);

export function contactUserRoutes(r: RouteRegistrar, ctx: AppContext): void {
  r.method('contact.user.get', {
    schema: {
      params: Type.Object({ user_id: Type.String({ minLength: 1, maxLength: 128 }) }),
      querystring: GetQuery,
      response: Type.Object({ user: ContactUser }),
    },
    handler: async (req: GetReq) => {
      const p = principalOf(req);
      const dir = ctx.repos.directory.forTenant(p.tenantKey, p.appId);
      const ids = userIdMapper(p, dir, req.query.user_id_type, ctx.publicUrl);
      const { user, departments } = await ids.resolveWith(req.params.user_id, (userId) => dir.userWithDepartments(userId));
      const type = req.query.department_id_type;
      return { user: presentUser(p, user, departments.map((d) => (type === 'department_id' ? d.id : d.openId))) };
    },
  });

  r.method('contact.user.batchGetId', {
    schema: {
      querystring: BatchQuery,
      body: Type.Optional(BatchBody),
      response: Type.Object({
        user_list: Type.Array(
          Type.Object({
            user_id: Type.Optional(Type.String()),
            email: Type.Optional(Type.String()),
            mobile: Type.Optional(Type.String()),
            status: Type.Optional(UserStatus),
          }),
        ),
      }),
    },
    handler: async (req: BatchReq) => {
      const p = principalOf(req);
      const dir = ctx.repos.directory.forTenant(p.tenantKey, p.appId);
      const ids = userIdMapper(p, dir, req.query.user_id_type, ctx.publicUrl);
      const emails = req.body?.emails ?? [];
      const mobiles = req.body?.mobiles ?? [];
      if (emails.length === 0 && mobiles.length === 0) throw apiError('fieldValidation', { msg: 'field validation failed: emails or mobiles is required', fieldViolations: [{ field: 'emails', description: 'emails and mobiles cannot both be empty' }] });
      const visible = (status: string) => req.body?.include_resigned === true || status !== 'resigned';
      const byEmail = new Map((await dir.usersByEmails(emails.map((e) => e.toLowerCase()))).map((u) => [u.email ?? '', u]));
      const byMobile = new Map((await dir.usersByMobiles(mobiles.flatMap(mobileForms))).map((u) => [u.mobile ?? '', u]));
      const found = (u: (typeof byEmail extends Map<string, infer U> ? U : never) | undefined) =>
        u && visible(u.status) ? { user_id: ids.present(u.user_id), status: statusOf(u) } : {};
      return {
        user_list: [
          ...emails.map((email) => ({ email, ...found(byEmail.get(email.toLowerCase())) })),
          ...mobiles.map((mobile) => ({ mobile, ...found(mobileForms(mobile).map((m) => byMobile.get(m)).find(Boolean)) })),
        ],
      };
    },
  });

  r.method('contact.user.findByDepartment', {
    schema: {
      querystring: ListQuery,
      response: Type.Object({ has_more: Type.Boolean(), page_token: Type.Optional(Type.String()), items: Type.Array(ContactUser) }),
    },
    handler: async (req: ListReq) => {
      const p = principalOf(req);
      const dir = ctx.repos.directory.forTenant(p.tenantKey, p.appId);
      userIdMapper(p, dir, req.query.user_id_type, ctx.publicUrl);
      const deptType: DepartmentIdType = req.query.department_id_type ?? 'open_department_id';
      const departmentId = await resolveDepartment(ctx, p.tenantKey, p.appId, req.query.department_id, deptType);
      const size = req.query.page_size ?? 10;
      const after = decodePageToken(req.query.page_token, { u: 'string' });
      const rows = await dir.membersOf(departmentId, after?.u, size + 1);
      const page = pageOf(rows, size, (last) => ({ u: last.user_id }));
      const items = [];
      for (const u of page.items) items.push(presentUser(p, u, departmentIdsAs(deptType, p.tenantKey, await dir.departmentIdsOf(u.user_id))));
      return { ...page, items };
    },
  });
}

async function resolveDepartment(ctx: AppContext, tenantKey: string, appId: string, id: string, type: DepartmentIdType): Promise<string> {
  if (id === '0') return '0';
  const dir = ctx.repos.directory.forTenant(tenantKey, appId);
  const dept = type === 'department_id' ? await dir.departmentById(id) : await dir.departmentByOpenId(id);
  if (!dept) throw apiError('fieldValidation', { msg: `field validation failed: department_id ${id} does not exist`, fieldViolations: [{ field: 'department_id', value: id, description: 'department does not exist' }] });
  return dept.department_id;
}
