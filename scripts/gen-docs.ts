/**
 * Regenerates what is derived from the code: the README's API coverage table (from the route registry)
 * and docs/openapi.json (from the route schemas). `--check` fails when a committed copy is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { coverageTable } from '../src/app/coverage.js';
import { openApiDocument } from '../src/app/openapi-document.js';
import { configTable } from '../src/config/config.js';

const check = process.argv.includes('--check');

/** Replaces the text between `<!-- name:begin … -->` and `<!-- name:end -->`. */
function splice(text: string, name: string, content: string): string {
  const begin = text.indexOf(`<!-- ${name}:begin`);
  const end = text.indexOf(`<!-- ${name}:end -->`);
  if (begin < 0 || end < begin) throw new Error(`README.md lacks the ${name} markers`);
  const afterBegin = text.indexOf('-->', begin) + 3;
  return text.slice(0, afterBegin) + '\n' + content + text.slice(end);
}

const readme = readFileSync('README.md', 'utf8');
const nextReadme = splice(splice(readme, 'coverage', await coverageTable()), 'config', configTable());
const nextOpenApi = JSON.stringify(await openApiDocument(), null, 2) + '\n';

const stale: string[] = [];
for (const [path, content] of [['README.md', nextReadme], ['docs/openapi.json', nextOpenApi]] as const) {
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current === content) continue;
  stale.push(path);
  if (!check) writeFileSync(path, content);
}
if (check && stale.length > 0) {
  console.error(`stale generated docs: ${stale.join(', ')} — run npm run docs and commit`);
  process.exit(1);
}
console.log(check ? 'generated docs are current' : stale.length ? `updated ${stale.join(', ')}` : 'nothing to update');
