import { esc, page } from './html.js';

export interface TroubleshootView {
  logId: string;
  code?: number;
  /** what the error code means (the contract's message) */
  meaning?: string;
  lines: string[];
}

/** A log line as indented JSON where it is JSON (it always is from our logger), else as it came. */
function pretty(line: string): string {
  try {
    return JSON.stringify(JSON.parse(line), null, 2);
  } catch {
    return line;
  }
}

const WIDE = '<style>main{max-width:960px} pre{background:#f6f8fa;border:1px solid #e1e4e8;border-radius:6px;padding:10px;overflow:auto;font-size:12px;white-space:pre-wrap;word-break:break-all}</style>';

export function troubleshootPage(v: TroubleshootView): string {
  const code = v.code === undefined ? '' : `<p>Error code <b id="ts-code">${esc(v.code)}</b>${v.meaning ? `: <span id="ts-meaning">${esc(v.meaning)}</span>` : ''}</p>`;
  const lines = v.lines.length === 0 ? '<p>No log lines were written for this request at the server\'s log level.</p>' : v.lines.map((l) => `<pre class="ts-line">${esc(pretty(l))}</pre>`).join('\n');
  return page('Troubleshooting', `${WIDE}<h1>Request <code id="ts-log-id">${esc(v.logId)}</code></h1>${code}<h2 style="font-size:16px">Log lines</h2>${lines}`);
}

export function troubleshootMessage(title: string, message: string, status: 'refused' | 'missing'): string {
  return page(title, `<h1>${esc(title)}</h1><p id="ts-${status}">${esc(message)}</p>`);
}
