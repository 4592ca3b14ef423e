import { ApiError, type PermissionViolation } from '../../contract/errors.js';
import type { Principal } from './principal.js';

/** Field scope needed to see or use tenant user_ids (auth.md §6). */
export const EMPLOYEE_ID_SCOPE = 'contact:user.employee_id:readonly';

function scopeDenied(p: Principal, required: readonly string[], type: PermissionViolation['type'], publicUrl: string): ApiError {
  const list = `[${required.join(', ')}]`;
  const tokenType = p.kind === 'user' ? 'user' : 'tenant';
  const url = `${publicUrl}/app/${p.appId}/auth?q=${required.join(',')}&op_from=openapi&token_type=${tokenType}`;
  const identity = p.kind === 'user' ? '用户身份权限' : '应用身份权限';
  return new ApiError('missingScope', {
    msg: `Access denied. One of the following scopes is required: ${list}.应用尚未开通所需的${identity}：${list}，点击链接申请并开通任一权限即可：${url}`,
    permissionViolations: required.map((subject) => ({ type, subject })),
    helps: [{ url, description: `Learn more about scopes and how to add them: ${list}` }],
  });
}

/**
 * Any one of `required` suffices. The app must hold it (99991672); a user token must also carry the
 * user's grant of it (99991679).
 */
export function checkScopes(p: Principal, required: readonly string[], publicUrl: string, type: PermissionViolation['type'] = 'action_scope_required'): void {
  if (required.length === 0) return;
  const held = required.filter((s) => p.appScopes.includes(s));
  if (held.length === 0) throw scopeDenied(p, required, type, publicUrl);
  if (p.kind === 'user' && !held.some((s) => p.grantedScopes?.includes(s))) {
    throw new ApiError('userScopeNotGranted', {
      msg: `Unauthorized. You do not have permission to perform the requested operation on the resource. Please request user re-authorization and try again. required one of these privileges: [${held.join(', ')}]`,
      permissionViolations: held.map((subject) => ({ type: 'action_privilege_required' as const, subject })),
    });
  }
}

export function hasScope(p: Principal, scope: string): boolean {
  return p.appScopes.includes(scope) && (p.kind === 'tenant' || (p.grantedScopes?.includes(scope) ?? false));
}
