import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { PASSWORD_HASH_PATTERN, passwordHashProblem } from './auth/passwords.js';
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
    if (out.length >= 50) break;
  }
  return out;
}

/**
 * Validates shape and in-file consistency (duplicates, cycles); throws SeedError listing every problem
 * with its JSON path. Department references may name departments already in the store: the repository
 * checks them when it applies the seed.
 */
export function parseSeed(input: unknown): Seed {
  const shape = schemaErrors(SeedSchema, input);
  if (shape.length > 0) throw new SeedError(shape);
  const seed = input as Seed;
  const problems: string[] = [];
  const tenantKeys = new Set<string>();
  const appIds = new Set<string>();
  seed.tenants.forEach((t, ti) => {
    const at = `$.tenants[${ti}]`;
    if (tenantKeys.has(t.tenant_key)) problems.push(`${at}.tenant_key: duplicate tenant_key "${t.tenant_key}"`);
    tenantKeys.add(t.tenant_key);
    const depts = new Map<string, string | null | undefined>();
    (t.departments ?? []).forEach((d, di) => {
      if (d.department_id === '0') problems.push(`${at}.departments[${di}].department_id: "0" is the root department and cannot be declared`);
      if (depts.has(d.department_id)) problems.push(`${at}.departments[${di}].department_id: duplicate "${d.department_id}"`);
      depts.set(d.department_id, d.parent_department_id);
    });
    // References to departments outside this file are checked when the seed is applied to a store.
    (t.departments ?? []).forEach((d, di) => {
      const parent = d.parent_department_id;
      const seen = new Set<string>([d.department_id]);
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
    (t.users ?? []).forEach((u, ui) => {
      const au = `${at}.users[${ui}]`;
      if (userIds.has(u.user_id)) problems.push(`${au}.user_id: duplicate "${u.user_id}"`);
      userIds.add(u.user_id);
      if (u.email) {
        const key = u.email.toLowerCase();
        if (emails.has(key)) problems.push(`${au}.email: "${u.email}" is already used by users[${emails.get(key)}]`);
        emails.set(key, ui);
      }
      const hashProblem = u.password_hash === undefined ? undefined : passwordHashProblem(u.password_hash);
      if (hashProblem) problems.push(`${au}.password_hash: ${hashProblem}`);
      if (u.mobile) {
        if (mobiles.has(u.mobile)) problems.push(`${au}.mobile: "${u.mobile}" is already used by users[${mobiles.get(u.mobile)}]`);
        mobiles.set(u.mobile, ui);
      }
    });
    (t.apps ?? []).forEach((a, ai) => {
      if (appIds.has(a.app_id)) problems.push(`${at}.apps[${ai}].app_id: duplicate app_id "${a.app_id}"`);
      appIds.add(a.app_id);
      (a.redirect_uris ?? []).forEach((uri, ri) => {
        const problem = redirectUriProblem(uri);
        if (problem) problems.push(`${at}.apps[${ai}].redirect_uris[${ri}]: ${problem}`);
      });
    });
  });
  if (problems.length > 0) throw new SeedError(problems);
  return seed;
}

export function parseSeedText(text: string, source = 'seed'): Seed {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new SeedError([`${source}: not valid JSON: ${(e as Error).message}`]);
  }
  return parseSeed(json);
}
