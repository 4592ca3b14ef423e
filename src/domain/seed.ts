import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { PASSWORD_HASH_PATTERN, passwordHashProblem } from './auth/passwords.js';
import { knownScopes } from '../contract/scopes.js';
import { EVENT_TYPES } from '../contract/events.js';
import { REDIRECT_URI_MAX, REDIRECT_URIS_PER_APP, redirectUriProblem } from './auth/redirect-uris.js';

/** The seed file: tenants with their directory and apps (issue 2, §4). Unknown keys are errors. */
const strict = { additionalProperties: false } as const;
const Id = (description: string) => Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.@-]+$', description });

export const SeedDepartment = Type.Object(
  {
    department_id: Id('tenant-chosen department id'),
    name: Type.String({ minLength: 1, maxLength: 255 }),
    parent_department_id: Type.Optional(Type.Union([Id('parent department id; "0" or absent for the root'), Type.Null()])),
  },
  strict,
);

export const SeedUser = Type.Object(
  {
    user_id: Id('tenant-chosen user id (employee id)'),
    name: Type.String({ minLength: 1, maxLength: 255 }),
    email: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$', maxLength: 255 })),
    mobile: Type.Optional(Type.String({ pattern: '^\\+?[0-9][0-9 -]{3,30}$' })),
    employee_no: Type.Optional(Type.String({ maxLength: 64 })),
    department_ids: Type.Optional(Type.Array(Id('department id'), { uniqueItems: true })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('resigned'), Type.Literal('frozen')])),
    admin: Type.Optional(Type.Boolean({ description: 'an administrator of the tenant (troubleshooter pages, the admin console); absent leaves the role as it is' })),
    password_hash: Type.Optional(Type.String({ pattern: PASSWORD_HASH_PATTERN, description: 'scrypt hash in PHC form ($scrypt$ln=14,r=8,p=1$<salt>$<hash>), e.g. from `openvc user hash-password`; absent leaves a password set otherwise unchanged' })),
  },
  strict,
);

export const SeedAppEvents = Type.Object(
  {
    request_url: Type.Optional(Type.String({ pattern: '^https?://' })),
    verification_token: Type.Optional(Type.String({ maxLength: 255 })),
    encrypt_key: Type.Optional(Type.String({ maxLength: 255 })),
    subscribe: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z0-9_.]+$' }), { uniqueItems: true })),
  },
  strict,
);

export const SeedApp = Type.Object(
  {
    app_id: Type.String({ pattern: '^cli_[A-Za-z0-9]{4,60}$' }),
    app_secret: Type.String({ minLength: 8, maxLength: 255 }),
    name: Type.String({ minLength: 1, maxLength: 255 }),
    scopes: Type.Array(Type.String({ pattern: '^[A-Za-z0-9_.:-]+$' }), { uniqueItems: true }),
    redirect_uris: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: REDIRECT_URI_MAX }), {
        uniqueItems: true,
        maxItems: REDIRECT_URIS_PER_APP,
        description: 'where the authorize page may send codes (exact match); replaces the registered list',
      }),
    ),
    events: Type.Optional(SeedAppEvents),
  },
  strict,
);

export const SeedTenant = Type.Object(
  {
    tenant_key: Id('tenant key'),
    name: Type.String({ minLength: 1, maxLength: 255 }),
    departments: Type.Optional(Type.Array(SeedDepartment)),
    users: Type.Optional(Type.Array(SeedUser)),
    apps: Type.Optional(Type.Array(SeedApp)),
  },
  strict,
);

export const SeedSchema = Type.Object({ tenants: Type.Array(SeedTenant) }, strict);

export type Seed = Static<typeof SeedSchema>;
export type SeedTenantT = Static<typeof SeedTenant>;

export class SeedError extends Error {
  override readonly name = 'SeedError';
  constructor(readonly problems: string[]) {
    super(`invalid seed:\n${problems.map((p) => '  ' + p).join('\n')}`);
  }
}

const jsonPath = (pointer: string) =>
  '$' + pointer.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');

function schemaErrors(schema: TSchema, value: unknown): string[] {
  const out: string[] = [];
  for (const e of Value.Errors(schema, value)) {
    const line = `${jsonPath(e.path)}: ${e.message}`;
    if (!out.includes(line)) out.push(line);
    if (out.length >= 200) break;
  }
  return out;
}

// The consistency checks run on input whose shape may be wrong (every problem is reported in one pass),
// so they read it through these guards and skip what is not there.
type Obj = Record<string, unknown>;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Departments a tenant already has in the store, by tenant key (for references the file does not declare). */
export type ExistingDepartments = (tenantKey: string) => ReadonlySet<string> | undefined;

/**
 * Every problem of a seed, in one pass, each with its JSON path: shape (the schema), in-file consistency
 * (duplicates, cycles), scopes and event types openvc does not know, and — when `existing` is given —
 * department references that name neither a department of the file nor one already in the store.
 */
export function seedProblems(input: unknown, existing?: ExistingDepartments): string[] {
  const problems = schemaErrors(SeedSchema, input);
  const scopes = new Set(knownScopes());
  const eventTypes = new Set<string>(EVENT_TYPES);
  const tenantKeys = new Set<string>();
  const appIds = new Set<string>();
  list(obj(input).tenants).forEach((tv, ti) => {
    const t = obj(tv);
    const at = `$.tenants[${ti}]`;
    const tk = str(t.tenant_key);
    if (tk !== undefined && tenantKeys.has(tk)) problems.push(`${at}.tenant_key: duplicate tenant_key "${tk}"`);
    if (tk !== undefined) tenantKeys.add(tk);
    const depts = new Map<string, string | undefined>();
    list(t.departments).forEach((dv, di) => {
      const d = obj(dv);
      const id = str(d.department_id);
      if (id === undefined) return;
      if (id === '0') problems.push(`${at}.departments[${di}].department_id: "0" is the root department and cannot be declared`);
      if (depts.has(id)) problems.push(`${at}.departments[${di}].department_id: duplicate "${id}"`);
      depts.set(id, str(d.parent_department_id));
    });
    const inStore = tk === undefined ? undefined : existing?.(tk);
    const dangling = (path: string, id: string | undefined) => {
      if (!existing || id === undefined || id === '0' || depts.has(id) || inStore?.has(id)) return;
      problems.push(`${path}: unknown department "${id}" (declare it in departments, or create it first)`);
    };
    list(t.departments).forEach((dv, di) => {
      const d = obj(dv);
      const id = str(d.department_id);
      const parent = str(d.parent_department_id);
      dangling(`${at}.departments[${di}].parent_department_id`, parent);
      if (id === undefined) return;
      const seen = new Set<string>([id]);
      for (let p = parent; p && p !== '0' && depts.has(p); p = depts.get(p)) {
        if (seen.has(p)) {
          problems.push(`${at}.departments[${di}].parent_department_id: cycle through "${p}"`);
          break;
        }
        seen.add(p);
      }
    });
    const userIds = new Set<string>();
    const emails = new Map<string, number>();
    const mobiles = new Map<string, number>();
    list(t.users).forEach((uv, ui) => {
      const u = obj(uv);
      const au = `${at}.users[${ui}]`;
      const id = str(u.user_id);
      if (id !== undefined && userIds.has(id)) problems.push(`${au}.user_id: duplicate "${id}"`);
      if (id !== undefined) userIds.add(id);
      const email = str(u.email);
      if (email) {
        const key = email.toLowerCase();
        if (emails.has(key)) problems.push(`${au}.email: "${email}" is already used by users[${emails.get(key)}]`);
        emails.set(key, ui);
      }
      const hash = str(u.password_hash);
      const hashProblem = hash === undefined ? undefined : passwordHashProblem(hash);
      if (hashProblem) problems.push(`${au}.password_hash: ${hashProblem}`);
      const mobile = str(u.mobile);
      if (mobile) {
        if (mobiles.has(mobile)) problems.push(`${au}.mobile: "${mobile}" is already used by users[${mobiles.get(mobile)}]`);
        mobiles.set(mobile, ui);
      }
      list(u.department_ids).forEach((d, di) => dangling(`${au}.department_ids[${di}]`, str(d)));
    });
    list(t.apps).forEach((av, ai) => {
      const a = obj(av);
      const aa = `${at}.apps[${ai}]`;
      const id = str(a.app_id);
      if (id !== undefined && appIds.has(id)) problems.push(`${aa}.app_id: duplicate app_id "${id}"`);
      if (id !== undefined) appIds.add(id);
      list(a.scopes).forEach((sv, si) => {
        const scope = str(sv);
        if (scope !== undefined && !scopes.has(scope)) problems.push(`${aa}.scopes[${si}]: unknown scope "${scope}" (openvc knows: ${[...scopes].join(', ')})`);
      });
      list(obj(a.events).subscribe).forEach((ev, ei) => {
        const type = str(ev);
        if (type !== undefined && !eventTypes.has(type)) problems.push(`${aa}.events.subscribe[${ei}]: unknown event type "${type}"`);
      });
      list(a.redirect_uris).forEach((uv, ri) => {
        const uri = str(uv);
        const problem = uri === undefined ? undefined : redirectUriProblem(uri);
        if (problem) problems.push(`${aa}.redirect_uris[${ri}]: ${problem}`);
      });
    });
  });
  return problems;
}

/** Validates a seed (see seedProblems); throws SeedError listing every problem with its JSON path. */
export function parseSeed(input: unknown, existing?: ExistingDepartments): Seed {
  const problems = seedProblems(input, existing);
  if (problems.length > 0) throw new SeedError(problems);
  return input as Seed;
}

export function parseSeedJson(text: string, source = 'seed'): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new SeedError([`${source}: not valid JSON: ${(e as Error).message}`]);
  }
}

export function parseSeedText(text: string, source = 'seed', existing?: ExistingDepartments): Seed {
  return parseSeed(parseSeedJson(text, source), existing);
}
