/**
 * The booking rules of rooms and levels, reserve_configs (scope_config.md §5.2): the value rules of each
 * section, what a node stores, the defaults that apply where no node on the chain sets a section, and the
 * API's shape. Sections are saved whole and inherited like room_config's (scope-config.ts).
 *
 * People: a section lists users and departments. Checked sections still hold the IDs as sent; once
 * resolved (`mapPeople`) they hold tenant user_ids and department_ids ("0": the whole tenant), and the
 * API shows them as `{user_id}` in the caller's user_id_type and `{department_id}` (open_department_id).
 */
import { apiError } from '../../contract/errors.js';
import { deriveOpenDepartmentId } from '../ids.js';
import { paramError } from './rules.js';
import { coversChildren, type SectionChange, type Sections } from './scope-config.js';

export const APPROVAL = 'approval_config';
export const TIME = 'time_config';
export const RESERVE_SCOPE = 'reserve_scope_config';
export const FORM = 'reserve_form_config';
export const ADMIN = 'reserve_admin_config';
export const DISABLE_INFORM = 'disable_inform';
export const RESERVE_SECTIONS = [APPROVAL, TIME, RESERVE_SCOPE, FORM, ADMIN, DISABLE_INFORM] as const;
export type ReserveSection = (typeof RESERVE_SECTIONS)[number];

/** users + departments one request may name (126012) */
export const MAX_SUBSCRIBERS = 500;
export const MEETING_HOURS = { min: 0.1, max: 99 };
export const DAYS_IN_ADVANCE = { min: 1, max: 730 };
export const MAX_DURATION_HOURS = { min: 1, max: 99 };
export const DAY_SECONDS = 86_400;
/** The shortest bookable window of a day, start_time to end_time: "≥ 30" read as minutes. */
export const MIN_WINDOW_SECONDS = 30 * 60;
/** notified_time per time_unit (1 minute, 2 hour, 3 day): past these the next unit says it (126011). */
export const NOTIFY_MAX: Record<number, number> = { 1: 59, 2: 23, 3: 30 };
export const MAX_CUSTOM_ITEMS = 50;
export const MAX_OPTIONS = 100;
export const MAX_KEY_LENGTH = 100;
export const MAX_TITLE_LENGTH = 255;

/** The whole tenant, as a department (contact's root department). */
export const ROOT_DEPARTMENT = '0';

type Flag = 0 | 1;

export interface ApprovalConfig {
  approval_switch: Flag;
  approval_condition: Flag;
  /** hours; bookings longer than this need approval when approval_condition is 1 */
  meeting_duration: number;
  approvers: string[];
}

export interface TimeConfig {
  if_cover_child_scope?: boolean;
  time_switch: Flag;
  days_in_advance: number;
  /** seconds of the day (UTC) at which the furthest day opens for booking */
  opening_hour: string;
  /** the bookable part of a day, seconds of the day (UTC) */
  start_time: string;
  end_time: string;
  /** hours */
  max_duration: number;
}

export interface ReserveScopeConfig {
  if_cover_child_scope?: boolean;
  allow_all_users: Flag;
  allow_users: string[];
  allow_depts: string[];
}

export interface CustomItem {
  custom_type: number;
  key: string;
  need_fill: boolean;
  title: string;
  placeholder?: string;
  options?: { text: string; key: string; is_other?: boolean }[];
  conditions?: { custom_key?: string; option_keys?: string[] }[];
}

export interface FormConfig {
  if_cover_child_scope?: boolean;
  reserve_form: boolean;
  notified_users: string[];
  notified_time?: number;
  /** 1 minute, 2 hour, 3 day */
  time_unit: number;
  custom_list: CustomItem[];
}

export interface AdminConfig {
  users: string[];
  depts: string[];
}

export interface DisableInform {
  if_cover_child_scope?: boolean;
  if_inform: boolean;
  informed_users: string[];
  informed_depts: string[];
}

interface UserRef {
  user_id: string;
}
interface DeptRef {
  department_id: string;
}

/** reserve_configs bodies as the SDK sends them (the request names the approval section approval_config). */
export interface ReserveConfigInput {
  approval_config?: { approval_switch?: number; approval_condition?: number; meeting_duration?: number; approvers?: UserRef[] };
  time_config?: { if_cover_child_scope?: boolean; time_switch: number; days_in_advance?: number; opening_hour?: string; start_time?: string; end_time?: string; max_duration?: number };
  reserve_scope_config?: { if_cover_child_scope?: boolean; allow_all_users?: number; allow_users?: UserRef[]; allow_depts?: DeptRef[] };
  reserve_form_config?: { if_cover_child_scope?: boolean; reserve_form: boolean; notified_users?: UserRef[]; notified_time?: number; time_unit?: number; custom_list?: CustomItem[] };
  reserve_admin_config?: { users?: UserRef[]; depts?: DeptRef[] };
  disable_inform?: { if_cover_child_scope?: boolean; if_inform: boolean; informed_users?: UserRef[]; informed_depts?: DeptRef[] };
}

/** What applies where no node on the chain sets a section: anyone may book any time, without approval. */
export const RESERVE_DEFAULTS: Partial<Record<ReserveSection, unknown>> = {
  [APPROVAL]: { approval_switch: 0, approval_condition: 0, meeting_duration: MEETING_HOURS.max, approvers: [] } satisfies ApprovalConfig,
  [TIME]: { time_switch: 0, days_in_advance: 365, opening_hour: '28800', start_time: '0', end_time: String(DAY_SECONDS), max_duration: 2 } satisfies TimeConfig,
  [RESERVE_SCOPE]: { allow_all_users: 1, allow_users: [], allow_depts: [] } satisfies ReserveScopeConfig,
  [ADMIN]: { users: [], depts: [] } satisfies AdminConfig,
  [DISABLE_INFORM]: { if_inform: false, informed_users: [], informed_depts: [] } satisfies DisableInform,
};

/** Which fields of each section list users and which departments. */
const PEOPLE: Record<ReserveSection, { users: string[]; depts: string[] }> = {
  [APPROVAL]: { users: ['approvers'], depts: [] },
  [TIME]: { users: [], depts: [] },
  [RESERVE_SCOPE]: { users: ['allow_users'], depts: ['allow_depts'] },
  [FORM]: { users: ['notified_users'], depts: [] },
  [ADMIN]: { users: ['users'], depts: ['depts'] },
  [DISABLE_INFORM]: { users: ['informed_users'], depts: ['informed_depts'] },
};

function checkFlag(value: number, field: string): Flag {
  if (value !== 0 && value !== 1) throw paramError(`${field} must be 0 or 1`);
  return value;
}

function checkRange(value: number, range: { min: number; max: number }, field: string): number {
  if (value < range.min || value > range.max) throw paramError(`${field} must be from ${range.min} to ${range.max}`);
  return value;
}

/** Seconds of the day, sent as a string of digits. */
function secondsOfDay(value: string, field: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > DAY_SECONDS) throw paramError(`${field} must be seconds of the day, "0" to "${DAY_SECONDS}"`);
  return Number(value);
}

function checkText(value: string, max: number, field: string): string {
  if (value.trim() === '' || value.length > max) throw paramError(`${field} must be 1 to ${max} characters, not blank`);
  return value;
}

const unique = (ids: readonly string[]): string[] => [...new Set(ids)];
const userIds = (refs: readonly UserRef[] | undefined): string[] => unique((refs ?? []).map((r) => r.user_id));
const deptIds = (refs: readonly DeptRef[] | undefined): string[] => unique((refs ?? []).map((r) => r.department_id));

function checkApproval(a: NonNullable<ReserveConfigInput['approval_config']>): ApprovalConfig {
  const approval_switch = checkFlag(a.approval_switch ?? 0, 'approval_config.approval_switch');
  const approval_condition = checkFlag(a.approval_condition ?? 0, 'approval_config.approval_condition');
  let meeting_duration = MEETING_HOURS.max;
  // Only a conditional approval has a threshold; with condition 0 every booking needs approval.
  if (approval_condition === 1) {
    if (a.meeting_duration === undefined) throw paramError('approval_config.meeting_duration is required when approval_condition is 1');
    meeting_duration = Math.round(checkRange(a.meeting_duration, MEETING_HOURS, 'approval_config.meeting_duration') * 100) / 100;
  }
  const approvers = userIds(a.approvers);
  if (approval_switch === 1 && approvers.length === 0) throw paramError('approval_config.approvers must name at least one user when approval_switch is 1');
  return { approval_switch, approval_condition, meeting_duration, approvers };
}

function checkTime(t: NonNullable<ReserveConfigInput['time_config']>): TimeConfig {
  const d = RESERVE_DEFAULTS[TIME] as TimeConfig;
  const start = secondsOfDay(t.start_time ?? d.start_time, 'time_config.start_time');
  const end = secondsOfDay(t.end_time ?? d.end_time, 'time_config.end_time');
  if (end - start < MIN_WINDOW_SECONDS) throw paramError(`time_config.end_time must be at least ${MIN_WINDOW_SECONDS} seconds after start_time`);
  // Days open on the minute.
  const opening = secondsOfDay(t.opening_hour ?? d.opening_hour, 'time_config.opening_hour');
  return {
    ...(t.if_cover_child_scope !== undefined ? { if_cover_child_scope: t.if_cover_child_scope } : {}),
    time_switch: checkFlag(t.time_switch, 'time_config.time_switch'),
    days_in_advance: checkRange(t.days_in_advance ?? d.days_in_advance, DAYS_IN_ADVANCE, 'time_config.days_in_advance'),
    opening_hour: String(opening - (opening % 60)),
    start_time: String(start),
    end_time: String(end),
    max_duration: checkRange(t.max_duration ?? d.max_duration, MAX_DURATION_HOURS, 'time_config.max_duration'),
  };
}

function checkReserveScope(s: NonNullable<ReserveConfigInput['reserve_scope_config']>): ReserveScopeConfig {
  if (s.allow_all_users === undefined) throw paramError('reserve_scope_config.allow_all_users is required: 1 everyone, 0 only allow_users and allow_depts');
  const allow_all_users = checkFlag(s.allow_all_users, 'reserve_scope_config.allow_all_users');
  const allow_users = userIds(s.allow_users);
  const allow_depts = deptIds(s.allow_depts);
  if (allow_all_users === 0 && allow_users.length + allow_depts.length === 0) {
    throw paramError('reserve_scope_config must name at least one user or department in allow_users or allow_depts when allow_all_users is 0');
  }
  return { ...(s.if_cover_child_scope !== undefined ? { if_cover_child_scope: s.if_cover_child_scope } : {}), allow_all_users, allow_users, allow_depts };
}

function checkCustomList(items: readonly CustomItem[]): CustomItem[] {
  const field = 'reserve_form_config.custom_list';
  if (items.length > MAX_CUSTOM_ITEMS) throw paramError(`${field} holds at most ${MAX_CUSTOM_ITEMS} items`);
  const byKey = new Map<string, CustomItem>();
  for (const [i, item] of items.entries()) {
    const f = `${field}[${i}]`;
    checkText(item.key, MAX_KEY_LENGTH, `${f}.key`);
    if (byKey.has(item.key)) throw paramError(`${f}.key ${item.key} appears twice`);
    byKey.set(item.key, item);
    if (!Number.isInteger(item.custom_type) || item.custom_type < 0) throw paramError(`${f}.custom_type must be a non-negative integer`);
    checkText(item.title, MAX_TITLE_LENGTH, `${f}.title`);
    if (item.placeholder !== undefined && item.placeholder.length > MAX_TITLE_LENGTH) throw paramError(`${f}.placeholder must be at most ${MAX_TITLE_LENGTH} characters`);
    const options = item.options ?? [];
    if (options.length > MAX_OPTIONS) throw paramError(`${f}.options holds at most ${MAX_OPTIONS} options`);
    const optionKeys = new Set<string>();
    for (const [j, o] of options.entries()) {
      checkText(o.text, MAX_TITLE_LENGTH, `${f}.options[${j}].text`);
      checkText(o.key, MAX_KEY_LENGTH, `${f}.options[${j}].key`);
      if (optionKeys.has(o.key)) throw paramError(`${f}.options[${j}].key ${o.key} appears twice`);
      optionKeys.add(o.key);
    }
  }
  // A condition shows an item when another item has one of the named options chosen: both must exist.
  return items.map((item, i) => {
    for (const [j, c] of (item.conditions ?? []).entries()) {
      const f = `${field}[${i}].conditions[${j}]`;
      const target = c.custom_key === undefined ? undefined : byKey.get(c.custom_key);
      if (c.custom_key !== undefined && (!target || target === item)) throw paramError(`${f}.custom_key must name another item of the list`);
      const known = new Set((target?.options ?? []).map((o) => o.key));
      const unknown = (c.option_keys ?? []).filter((k) => !known.has(k));
      if (unknown.length > 0) throw paramError(`${f}.option_keys names no option of ${c.custom_key ?? 'any item'}: ${unknown.join(', ')}`);
    }
    const { custom_type, key, need_fill, title, placeholder, options, conditions } = item;
    return {
      custom_type,
      key,
      need_fill,
      title,
      ...(placeholder !== undefined ? { placeholder } : {}),
      ...(options !== undefined ? { options: options.map((o) => ({ text: o.text, key: o.key, ...(o.is_other !== undefined ? { is_other: o.is_other } : {}) })) } : {}),
      ...(conditions !== undefined ? { conditions: conditions.map((c) => ({ ...(c.custom_key !== undefined ? { custom_key: c.custom_key } : {}), ...(c.option_keys !== undefined ? { option_keys: [...c.option_keys] } : {}) })) } : {}),
    };
  });
}

function checkForm(f: NonNullable<ReserveConfigInput['reserve_form_config']>): FormConfig {
  const time_unit = f.time_unit ?? 3;
  const max = NOTIFY_MAX[time_unit];
  if (max === undefined) throw paramError('reserve_form_config.time_unit must be 1 (minute), 2 (hour) or 3 (day)');
  if (f.notified_time !== undefined && (f.notified_time < 1 || f.notified_time > max)) {
    throw apiError('notifyTimeOutOfRange', `notify time exceeds the scope to which the time unit appoints: notified_time must be from 1 to ${max} for time_unit ${time_unit}`);
  }
  return {
    ...(f.if_cover_child_scope !== undefined ? { if_cover_child_scope: f.if_cover_child_scope } : {}),
    reserve_form: f.reserve_form,
    notified_users: userIds(f.notified_users),
    ...(f.notified_time !== undefined ? { notified_time: f.notified_time } : {}),
    time_unit,
    custom_list: checkCustomList(f.custom_list ?? []),
  };
}

const checkAdmin = (a: NonNullable<ReserveConfigInput['reserve_admin_config']>): AdminConfig => ({ users: userIds(a.users), depts: deptIds(a.depts) });

const checkInform = (d: NonNullable<ReserveConfigInput['disable_inform']>): DisableInform => ({
  ...(d.if_cover_child_scope !== undefined ? { if_cover_child_scope: d.if_cover_child_scope } : {}),
  if_inform: d.if_inform,
  informed_users: userIds(d.informed_users),
  informed_depts: deptIds(d.informed_depts),
});

const CHECKS: { [S in ReserveSection]: (input: NonNullable<ReserveConfigInput[S]>) => unknown } = {
  [APPROVAL]: checkApproval,
  [TIME]: checkTime,
  [RESERVE_SCOPE]: checkReserveScope,
  [FORM]: checkForm,
  [ADMIN]: checkAdmin,
  [DISABLE_INFORM]: checkInform,
};

/**
 * The section changes a request asks for, checked, people still as sent. Every section sent replaces
 * the node's own; at most MAX_SUBSCRIBERS users and departments in all (126012).
 */
export function reserveConfigChanges(input: ReserveConfigInput): SectionChange[] {
  const changes: SectionChange[] = [];
  for (const section of RESERVE_SECTIONS) {
    const sent = input[section];
    if (sent !== undefined) changes.push({ section, value: (CHECKS[section] as (i: unknown) => unknown)(sent), cover: coversChildren(sent) });
  }
  const named = changes.reduce((n, c) => {
    const p = PEOPLE[c.section as ReserveSection];
    const v = c.value as Record<string, string[]>;
    return n + [...p.users, ...p.depts].reduce((m, k) => m + v[k]!.length, 0);
  }, 0);
  if (named > MAX_SUBSCRIBERS) throw apiError('tooManySubscribers', `updated sum of userIDs and deptIDs exceed ${MAX_SUBSCRIBERS}: the request names ${named}`);
  return changes;
}

/** Every user and department ID a section names. */
export function peopleOf(section: string, value: unknown): { users: string[]; depts: string[] } {
  const p = PEOPLE[section as ReserveSection];
  const v = value as Record<string, string[]>;
  return { users: p.users.flatMap((k) => v[k] ?? []), depts: p.depts.flatMap((k) => v[k] ?? []) };
}

/** A section with each user and department ID replaced: resolving what was sent, or presenting what is stored. */
export function mapPeople<U, D>(section: string, value: unknown, user: (id: string) => U, dept: (id: string) => D): Record<string, unknown> {
  const p = PEOPLE[section as ReserveSection];
  const v = { ...(value as Record<string, unknown>) };
  for (const k of p.users) v[k] = (v[k] as string[]).map(user);
  for (const k of p.depts) v[k] = (v[k] as string[]).map(dept);
  return v;
}

/**
 * A stored section in the API's shape: users as `{user_id}` (`user` writes the ID: the caller's
 * user_id_type in responses, a stored user in events), departments as `{department_id}` with their
 * open_department_id.
 */
export const sectionView = <U>(tenantKey: string, section: string, value: unknown, user: (userId: string) => U, names: PeopleNames): Record<string, unknown> =>
  mapPeople(
    section,
    value,
    (u) => ({ user_id: user(u), user_name: names.users.get(u) ?? '' }),
    (d) => ({ department_id: d === ROOT_DEPARTMENT ? d : deriveOpenDepartmentId(tenantKey, d), department_name: names.depts.get(d) ?? '' }),
  );

/** The names of the people sections name, by tenant user_id and department_id ("0": the tenant's name). */
export interface PeopleNames {
  users: Map<string, string>;
  depts: Map<string, string>;
}

/** The sections that apply, with the defaults where no node on the chain sets one (the form has none). */
export const withDefaults = (resolved: Sections): Sections => ({ ...RESERVE_DEFAULTS, ...resolved });
