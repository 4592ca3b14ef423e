import { methods } from '../contract/methods.js';
import { registry } from '../http/routes.js';
import { withDocApp } from './openapi-document.js';

/** The README's API coverage table: every catalogue method and whether a route serves it. */
export async function coverageTable(): Promise<string> {
  await withDocApp(async () => undefined);
  const rows = methods.map((m) => {
    const r = registry.get(m.id);
    const status = !r ? 'missing' : r.partial ? `partial: ${r.partial}` : 'done';
    const tokens = m.tokens.length ? m.tokens.join(', ') : '—';
    return `| ${m.resource} | \`${m.method} ${m.path}\` | ${m.sdk ? `\`${m.sdk}\`` : '—'} | ${tokens} | ${status}${m.beyondSeed ? ' (beyond the seed)' : ''} |`;
  });
  const done = methods.filter((m) => registry.has(m.id) && !registry.get(m.id)?.partial).length;
  return [
    `${done} of ${methods.length} methods done.`,
    '',
    '| resource | method | SDK call | tokens | status |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
