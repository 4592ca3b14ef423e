/**
 * Evaluation of a reserve's action_permissions (reserve.md): who may become host, invite, or join. The
 * join, host and invite code of meetings asks these.
 */
import { ACTION, CHECK_FIELD, CHECK_MODE, GUEST_USER_TYPE, type ActionPermission, type PermissionChecker } from './settings.js';

export type Action = (typeof ACTION)[keyof typeof ACTION];

/** Someone who wants to act in a reserved meeting. */
export interface Subject {
  /** user_type: 1 Feishu user, 2 rooms, 5 guest, 6 PSTN, 7 SIP */
  userType: number;
  /** The subject's tenant; null for a phone or SIP caller. */
  tenantKey: string | null;
  /** The user_id in the reserve's tenant (the only IDs check lists hold); null for anyone outside that tenant. */
  userId: string | null;
}

function valueOf(field: number, s: Subject): string | null {
  switch (field) {
    case CHECK_FIELD.userId:
      return s.userId;
    case CHECK_FIELD.userType:
      return String(s.userType);
    case CHECK_FIELD.tenant:
      return s.tenantKey;
    default:
      return null;
  }
}

function passes(c: PermissionChecker, s: Subject): boolean {
  const value = valueOf(c.check_field, s);
  const listed = value !== null && c.check_list.includes(value);
  return c.check_mode === CHECK_MODE.inList ? listed : !listed;
}

/** One permission entry grants its action when any of its checkers passes. */
export function canPerform(permission: ActionPermission, subject: Subject): boolean {
  return permission.permission_checkers.some((c) => passes(c, subject));
}

/**
 * Whether the reserve lets `subject` do `action`: entries for the same action are OR-ed; an action no
 * entry configures is not restricted by the reserve (the meeting's own rules still apply).
 */
export function reserveAllows(permissions: readonly ActionPermission[] | undefined, action: Action, subject: Subject): boolean {
  const entries = (permissions ?? []).filter((p) => p.permission === action);
  return entries.length === 0 || entries.some((p) => canPerform(p, subject));
}

/** A guest as checkers see one: user type 5, no tenant, no user ID. */
const GUEST: Subject = { userType: GUEST_USER_TYPE, tenantKey: null, userId: null };

/**
 * Whether the reserve admits guests (docs/decisions.md "Guests"). Unlike users, guests need an explicit
 * yes: some "can join" entry must have a user-type checker that lets user type 5 through (type 5 on a
 * whitelist, or a blacklist without it). User-ID and tenant checkers never speak for guests, who have
 * neither, so "everyone but bob" or "anyone outside acme" does not open a meeting to the public.
 */
export function admitsGuests(permissions: readonly ActionPermission[] | undefined): boolean {
  return (permissions ?? [])
    .filter((p) => p.permission === ACTION.join)
    .some((p) => canPerform({ ...p, permission_checkers: p.permission_checkers.filter((c) => c.check_field === CHECK_FIELD.userType) }, GUEST));
}
