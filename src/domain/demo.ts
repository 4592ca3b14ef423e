import { randomBytes } from 'node:crypto';
import type { Seed } from './seed.js';
import { knownScopes } from '../contract/scopes.js';

export const DEMO_TENANT_KEY = 'demo';
/** The callback the banner's sign-in link names: registered, so that the demo's OAuth flow works at once. */
export const DEMO_REDIRECT_URI = 'http://127.0.0.1/callback';

/** Every scope openvc knows, event-only ones included: the demo app may call everything and receive every event. */
export function allScopes(): string[] {
  return knownScopes();
}

/** The tenant created on the first start of an empty store, so that `npm start` is usable at once. */
export function demoSeed(): Seed {
  return {
    tenants: [
      {
        tenant_key: DEMO_TENANT_KEY,
        name: 'Demo Company',
        departments: [
          { department_id: 'eng', name: 'Engineering', parent_department_id: '0' },
          { department_id: 'sales', name: 'Sales', parent_department_id: '0' },
        ],
        users: [
          { user_id: 'alice', name: 'Alice Zhang', email: 'alice@demo.openvc.dev', mobile: '+8613800000001', employee_no: 'E001', department_ids: ['eng'], admin: true },
          { user_id: 'bob', name: 'Bob Li', email: 'bob@demo.openvc.dev', mobile: '+8613800000002', employee_no: 'E002', department_ids: ['eng'] },
          { user_id: 'carol', name: 'Carol Wang', email: 'carol@demo.openvc.dev', mobile: '+8613800000003', employee_no: 'E003', department_ids: ['sales'] },
          { user_id: 'dave', name: 'Dave Chen', email: 'dave@demo.openvc.dev', mobile: '+8613800000004', employee_no: 'E004', department_ids: ['sales'] },
        ],
        apps: [
          {
            app_id: 'cli_' + randomBytes(8).toString('hex'),
            app_secret: randomBytes(24).toString('base64url'),
            name: 'openvc demo app',
            scopes: allScopes(),
            redirect_uris: [DEMO_REDIRECT_URI],
          },
        ],
      },
    ],
  };
}
