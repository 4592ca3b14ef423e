/**
 * Issue 6's export budget: 1,000,000 participant rows at ≥ 60,000 rows/s with peak RSS ≤ 256 MB,
 * streaming. Measured beside its baseline in the same run:
 *  - the sheet writer alone: openvc's streaming xlsx writer vs ExcelJS's streaming WorkbookWriter (no
 *    styles, no shared strings) on the same rows, each in a child process of its own (its peak RSS);
 *  - the end-to-end export of a participant list of that many rows from a SQLite store through the
 *    export job (the history bulk-inserted with SQL first, in another process).
 *
 * Usage: npm run bench:exports [-- --rows 1000000 --keep]   (--keep leaves the files and the store in the temp dir)
 * Children run the built code (dist/) with plain node, so no TypeScript loader weighs on their memory.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { opt } from './harness.js';

const run = promisify(execFile);
const ROWS = Number(opt('rows', '1000000'));
if (!existsSync('dist/export/xlsx/index.js')) throw new Error('run `npm run build` first: the children run dist/');

interface Result {
  rows: number;
  seconds: number;
  rowsPerS: number;
  cpuSeconds: number;
  bytes: number;
  peakRssMB: number;
}

async function child(script: string, args: string[]): Promise<Result> {
  const { stdout } = await run(process.execPath, [script, ...args], { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Result;
}

const dir = mkdtempSync(join(tmpdir(), 'openvc-bench-exports-'));
const lines: string[] = [];
const line = (label: string, r: Result, baseline?: Result) =>
  lines.push(`| ${label} | ${r.rows} | ${r.seconds} | ${r.rowsPerS} | ${Math.round(r.rows / r.cpuSeconds)} | ${(r.bytes / 1e6).toFixed(1)} | ${r.peakRssMB} | ${baseline ? `${(r.rowsPerS / baseline.rowsPerS).toFixed(1)}×` : '—'} |`);
try {
  const exceljs = await child('bench/export-writer.mjs', ['--writer', 'exceljs', '--rows', String(ROWS), '--out', join(dir, 'exceljs.xlsx')]);
  const openvc = await child('bench/export-writer.mjs', ['--writer', 'openvc', '--rows', String(ROWS), '--out', join(dir, 'openvc.xlsx')]);
  line('ExcelJS stream.xlsx.WorkbookWriter (baseline)', exceljs);
  line('openvc XlsxWriter', openvc, exceljs);

  const store = join(dir, 'store');
  const setup = await run(process.execPath, ['bench/export-e2e.mjs', '--setup', store, '--rows', String(ROWS)]);
  process.stderr.write(`store filled: ${setup.stdout}`);
  const e2e = await child('bench/export-e2e.mjs', ['--run', store]);
  line('end to end: participant list from SQLite through the export job', e2e, exceljs);
} finally {
  if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
}

console.log(`\n${ROWS} participant-list rows (23 columns); node ${process.version}; ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
console.log('| writer | rows | seconds | rows/s | rows per CPU-second | MB | peak RSS MB | vs baseline |');
console.log('|---|---|---|---|---|---|---|---|');
console.log(lines.join('\n'));
