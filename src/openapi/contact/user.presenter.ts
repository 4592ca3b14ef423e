import { Type } from '@sinclair/typebox';
import { EMPLOYEE_ID_SCOPE, hasScope } from '../../domain/auth/scopes.js';
import type { Principal } from '../../domain/auth/principal.js';
import { deriveOpenDepartmentId, deriveOpenId } from '../../domain/ids.js';
import type { UserRow } from '../../store/repositories/directory.repository.js';

export const EMAIL_SCOPE = 'contact:user.email:readonly';
export const PHONE_SCOPE = 'contact:user.phone:readonly';

export type DepartmentIdType = 'department_id' | 'open_department_id';
export const DepartmentIdTypeParam = Type.Optional(
  Type.Unsafe<DepartmentIdType>({ type: 'string', enum: ['open_department_id', 'department_id'], default: 'open_department_id' }),
);

export const UserStatus = Type.Object({
  is_frozen: Type.Boolean(),
  is_resigned: Type.Boolean(),
  is_activated: Type.Boolean(),
  is_exited: Type.Boolean(),
  is_unjoin: Type.Boolean(),
});

export const ContactUser = Type.Object({
  union_id: Type.String(),
  user_id: Type.Optional(Type.String()),
  open_id: Type.String(),
  name: Type.String(),
  en_name: Type.String(),
  email: Type.Optional(Type.String()),
  mobile: Type.Optional(Type.String()),
  mobile_visible: Type.Boolean(),
  status: UserStatus,
  department_ids: Type.Array(Type.String()),
  employee_no: Type.Optional(Type.String()),
  is_tenant_manager: Type.Boolean(),
  join_time: Type.Integer(),
});

/** Department ids as the caller asked for them; the root department is "0" in both types. */
export function departmentIdsAs(type: DepartmentIdType | undefined, tenantKey: string, ids: string[]): string[] {
  return type === 'department_id' ? ids : ids.map((d) => (d === '0' ? d : deriveOpenDepartmentId(tenantKey, d)));
}

export function statusOf(u: UserRow) {
  return {
    is_frozen: u.status === 'frozen',
    is_resigned: u.status === 'resigned',
    is_activated: u.status !== 'resigned',
    is_exited: false,
    is_unjoin: false,
  };
}

/**
 * A directory user as contact v3 shows it, with department ids already in the requested type. Fields behind field scopes (user_id, email, mobile) are left
 * out for callers without them, as Feishu does.
 */
export function presentUser(p: Principal, u: UserRow, departmentIds: string[]) {
  return {
    union_id: u.union_id,
    ...(hasScope(p, EMPLOYEE_ID_SCOPE) ? { user_id: u.user_id } : {}),
    open_id: deriveOpenId(p.appId, p.tenantKey, u.user_id),
    name: u.name,
    en_name: '',
    ...(u.email && hasScope(p, EMAIL_SCOPE) ? { email: u.email } : {}),
    ...(u.mobile && hasScope(p, PHONE_SCOPE) ? { mobile: u.mobile } : {}),
    mobile_visible: true,
    status: statusOf(u),
    department_ids: departmentIds,
    ...(u.employee_no ? { employee_no: u.employee_no } : {}),
    is_tenant_manager: false,
    join_time: Math.floor(u.created_at / 1000),
  };
}
