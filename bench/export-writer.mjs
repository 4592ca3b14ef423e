/**
 * One writer, one sheet, in a process of its own (its peak RSS is its own): N participant-list rows of
 * 23 cells, written by openvc's streaming writer (from dist/, `npm run build` first) or by ExcelJS's
 * streaming WorkbookWriter (no styles, no shared strings). Prints one JSON line.
 *
 * Usage: node bench/export-writer.mjs --writer openvc|exceljs --rows 1000000 --out /tmp/x.xlsx
 */
import { createWriteStream, statSync } from 'node:fs';
import { finished } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { XlsxWriter } from '../dist/export/xlsx/index.js';
import { participantListSheet } from '../dist/domain/export/sheets.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const writer = arg('writer', 'openvc');
const rows = Number(arg('rows', '100000'));
const out = arg('out', '/tmp/openvc-bench.xlsx');
/** rows per addRows call, as an export hands over a page */
const BATCH = 1000;

const DEVICES = ['WINDOWS', 'MAC', 'WEB', 'IOS', 'ANDROID'];
const REASONS = ['主动离会', '会议结束', '网络异常'];
const pad = (n) => String(n).padStart(2, '0');
const time = (s) => `2024.05.06 ${pad(9 + (Math.floor(s / 3600) % 10))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)} (GMT+08:00)`;

/** Row i as the participant list shows a participant: the shapes and lengths of real rows. */
function row(i) {
  const u = i % 5000;
  return [
    `成员 ${u}`, '研发部', `ou_${((u * 2654435761) >>> 0).toString(16).padStart(8, '0')}${'0'.repeat(24)}`, `E${10000 + u}`, `+86138****${String(u).padStart(4, '0')}`, `member${u}@acme.test`,
    DEVICES[i % 5], '7.21.4', `198.51.100.${i % 254}`, `192.168.${i % 32}.${i % 250}`, '否', '中国大陆', i % 3 ? 'wifi' : 'ethernet', '与系统一致', '与系统一致', 'Integrated Camera',
    '是', i % 2 ? '是' : '否', '否', time(i % 36000), time((i % 36000) + 1800), '00:30:00', REASONS[i % 3],
  ];
}

const started = performance.now();
const cpu = process.cpuUsage();
const file = createWriteStream(out);
const headers = participantListSheet.columns.map((c) => c.header);
if (writer === 'openvc') {
  // the level exports use (ExportService)
  const xlsx = await XlsxWriter.open(file, { sheetName: participantListSheet.title, columns: headers.map((header) => ({ header })), level: 1 });
  for (let i = 0; i < rows; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(rows, i + BATCH); j++) batch.push(row(j));
    await xlsx.addRows(batch);
  }
  await xlsx.finish();
  file.end();
} else {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: file, useStyles: false, useSharedStrings: false });
  const ws = wb.addWorksheet(participantListSheet.title);
  ws.addRow(headers).commit();
  for (let i = 0; i < rows; i++) ws.addRow(row(i)).commit();
  ws.commit();
  await wb.commit();
}
await finished(file);
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
console.log(JSON.stringify({ writer, rows, seconds: +seconds.toFixed(2), rowsPerS: Math.round(rows / seconds), cpuSeconds: +((used.user + used.system) / 1e6).toFixed(2), bytes: statSync(out).size, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
