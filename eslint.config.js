import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

/**
 * The floors of src/ (docs/architecture.md), lowest first. A folder may import from floors below its own,
 * never from its own floor's other folders or from above, except where `allowed` says so.
 */
const floors = [
  ['contract'],
  ['store'],
  ['domain'],
  ['events', 'jobs', 'media', 'config'],
  ['recording', 'export'],
  ['http'],
  ['openapi', 'client-api', 'booking-api', 'admin-api', 'web'],
  ['app'],
  ['simulate'],
  ['cli'],
];
/** Sideways imports on one floor that are part of the design. */
const allowed = {
  // Routes render the browser pages of their flows (the OAuth consent page).
  openapi: ['web'],
  // Only the pure rules listed in storeMayRead (storeZone).
  store: ['domain'],
};
/** The store may read the domain's pure rules and types (no I/O in them): row shapes and tree and report arithmetic. */
const storeMayRead = ['meeting/meeting.ts', 'room/tree.ts', 'report/calendar.ts', 'report/report.ts', 'report/usage.ts', 'report/console-rollup.ts', 'report/quality-histogram.ts', 'booking/rules.ts', 'seed.ts', 'ids.ts'];

const floorZones = floors.flatMap((floor, i) =>
  floor.map((folder) => ({
    target: `./src/${folder}`,
    from: [...floors.slice(i).flat().filter((f) => f !== folder && !(allowed[folder] ?? []).includes(f)).map((f) => `./src/${f}`)],
    message: `src/${folder} is on a lower floor than what it imports here (docs/architecture.md): move the shared part down, or invert the dependency`,
  })),
).filter((zone) => zone.from.length > 0);
const storeZone = { target: './src/store', from: './src/domain', except: storeMayRead.map((f) => `./${f}`), message: 'the store may read only the pure domain rules listed in eslint.config.js' };

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: [...floorZones, storeZone] }] },
  },
  {
    // The meeting page's script runs in the browser.
    files: ['src/web/assets/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
