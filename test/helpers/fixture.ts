import type { Seed } from '../../src/domain/seed.js';
import { allScopes } from '../../src/domain/demo.js';

export const ALL = allScopes();

/** Two tenants, apps with different scope sets, enough users to page through. */
export const fixture = {
  acme: {
    tenantKey: 'acme',
    full: { appId: 'cli_acmefull0001', appSecret: 'acme-full-secret' },
    narrow: { appId: 'cli_acmenarrow01', appSecret: 'acme-narrow-secret' },
    none: { appId: 'cli_acmenone0001', appSecret: 'acme-none-secret' },
  },
  globex: {
    tenantKey: 'globex',
    full: { appId: 'cli_globexfull01', appSecret: 'globex-full-secret' },
  },
} as const;

/** The password of every fixture user (seeded as `password_hash`). */
export const FIXTURE_PASSWORD = 'fixture-password';
const FIXTURE_PASSWORD_HASH = '$scrypt$ln=14,r=8,p=1$BqMGk2bczsQhou3ANK6g1Q$EorkpPmf4wRAW6F9arZISHSceNvTIdmQpILN+qpMltU';

export const NARROW_SCOPES = ['contact:user.base:readonly'];

/** The callbacks every fixture app registered: the authorize page sends codes nowhere else. */
export const REDIRECT_URIS = ['https://client.test/callback', 'https://client.test/cb', 'https://client.test/cb?keep=1'];

export function fixtureSeed(): Seed {
  const big = Array.from({ length: 25 }, (_, i) => ({
    user_id: `member${String(i).padStart(2, '0')}`,
    name: `Member ${i}`,
    department_ids: ['big'],
    password_hash: FIXTURE_PASSWORD_HASH,
  }));
  return {
    tenants: [
      {
        tenant_key: 'acme',
        name: 'Acme Inc',
        departments: [
          { department_id: 'eng', name: 'Engineering', parent_department_id: '0' },
          { department_id: 'big', name: 'Big Team', parent_department_id: 'eng' },
        ],
        users: [
          { user_id: 'alice', name: 'Alice', email: 'alice@acme.test', mobile: '+8613800000001', employee_no: 'A1', department_ids: ['eng'], password_hash: FIXTURE_PASSWORD_HASH },
          { user_id: 'bob', name: 'Bob', email: 'Bob@Acme.test', mobile: '+14155550100', department_ids: ['eng', 'big'], password_hash: FIXTURE_PASSWORD_HASH },
          { user_id: 'carol', name: 'Carol', email: 'carol@acme.test', status: 'resigned', password_hash: FIXTURE_PASSWORD_HASH },
          ...big,
        ],
        apps: [
          { app_id: fixture.acme.full.appId, app_secret: fixture.acme.full.appSecret, name: 'Acme full', scopes: ALL, redirect_uris: REDIRECT_URIS },
          { app_id: fixture.acme.narrow.appId, app_secret: fixture.acme.narrow.appSecret, name: 'Acme narrow', scopes: NARROW_SCOPES, redirect_uris: REDIRECT_URIS },
          { app_id: fixture.acme.none.appId, app_secret: fixture.acme.none.appSecret, name: 'Acme none', scopes: [], redirect_uris: REDIRECT_URIS },
        ],
      },
      {
        tenant_key: 'globex',
        name: 'Globex',
        users: [{ user_id: 'gina', name: 'Gina', email: 'gina@globex.test', mobile: '+8613900000009', password_hash: FIXTURE_PASSWORD_HASH }],
        apps: [{ app_id: fixture.globex.full.appId, app_secret: fixture.globex.full.appSecret, name: 'Globex full', scopes: ALL }],
      },
    ],
  };
}

/** The fixture with alice as acme's administrator (the admin console's user; bob stays an ordinary user). */
export function fixtureSeedWithAdmin(): Seed {
  const s = fixtureSeed();
  const acme = s.tenants[0]!;
  acme.users = acme.users!.map((u) => (u.user_id === 'alice' ? { ...u, admin: true } : u));
  return s;
}
