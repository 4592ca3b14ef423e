/**
 * The end-to-end export of a large participant list, from the store through the export job, on SQLite
 * (from dist/: `npm run build` first).
 *
 *   node bench/export-e2e.mjs --setup DIR --rows 1000000   bulk-inserts a history into a SQLite store in
 *       DIR: one meeting number used by rows/500 meetings of 500 participants within a day, every
 *       participant with a session (a client's device facts)
 *   node bench/export-e2e.mjs --run DIR                     exports that number's participant list as the
 *       server does (a task, its job, the file into the store); prints one JSON line
 *
 * The steps run in separate processes so that the export's peak RSS is the export's alone.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pino from 'pino';
import { resolveConfig } from '../dist/config/config.js';
import { openRuntime } from '../dist/server.js';
import { allScopes } from '../dist/domain/demo.js';
import { participantListQuery } from '../dist/domain/export/queries.js';

const arg = (name, def) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const PER_MEETING = 500;
const SPACING_MS = 40_000;
const MEETING_NO = '912345678';
const APP = 'cli_benchexport01';
const config = (dir) => resolveConfig({ dataDir: dir, demo: false, logLevel: 'silent' });
const fail = (_problem, message) => {
  throw new Error(message);
};

const setupDir = arg('setup', '');
const runDir = arg('run', '');

if (setupDir) {
  const rows = Number(arg('rows', '1000000'));
  const meetings = Math.ceil(rows / PER_MEETING);
  const rt = await openRuntime(config(setupDir), { logger: pino({ level: 'silent' }) });
  const users = Array.from({ length: PER_MEETING }, (_, i) => `user${String(i).padStart(4, '0')}`);
  await rt.repos.directory.applySeed({
    tenants: [
      {
        tenant_key: 'bench',
        name: 'Bench',
        departments: [{ department_id: 'rd', name: '研发部', parent_department_id: '0' }],
        users: users.map((u, i) => ({ user_id: u, name: `成员 ${i}`, email: `${u}@bench.test`, mobile: `+86138${String(i).padStart(8, '0')}`, employee_no: `E${10000 + i}`, department_ids: ['rd'] })),
        apps: [{ app_id: APP, app_secret: 'bench-secret', name: 'Bench', scopes: allScopes() }],
      },
    ],
  });
  await rt.store.close();

  const db = new SQLite(join(setupDir, 'openvc.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const ability = JSON.stringify({ use_video: true, use_audio: true, use_share_screen: false, use_follow_screen: false, use_recording: false, use_pstn: false });
  const meeting = db.prepare(`insert into meetings (id, tenant_key, reserve_id, meeting_no, live_no, topic, password, source, owner_user_id, assigned_hosts, status, created_at, started_at, ended_at, host_key, locked, participant_limit, peak, accumulated, ability, sharing_key, next_seq, version, recording, auto_record)
    values (?, 'bench', null, '${MEETING_NO}', null, ?, '', 2, 'user0000', '[]', 3, ?, ?, ?, null, 0, 500, ${PER_MEETING}, ${PER_MEETING}, '${ability}', null, ${PER_MEETING + 1}, 1, 0, 0)`);
  const participant = db.prepare(`insert into meeting_participants (meeting_id, key, tenant_key, user_id, user_type, participant_tenant_key, name, status, first_join_at, final_leave_at, in_meeting_ms, joined_at, is_cohost, session_id, seq, may_host)
    values (?, ?, 'bench', ?, 1, 'bench', null, 4, ?, ?, ?, null, 0, null, ?, 1)`);
  const session = db.prepare(`insert into participant_sessions (id, meeting_id, tenant_key, participant_key, user_id, app_id, device, joined_at, last_seen_at, left_at, leave_reason, public_ip, used_audio, used_video, used_share)
    values (?, ?, 'bench', ?, ?, '${APP}', ?, ?, ?, ?, ?, ?, 1, ?, 0)`);
  const devices = [
    { type: 'desktop', os: 'Windows 11', client_version: '7.21.4', network_type: 'wifi', ip: '192.168.1.20', protocol: 'udp', microphone: '与系统一致', speaker: '与系统一致', camera: 'Integrated Camera' },
    { type: 'web', os: 'Chrome 126 / macOS', client_version: '7.21.1', network_type: 'ethernet', ip: '10.1.2.3', protocol: 'udp', microphone: '与系统一致', speaker: '与系统一致', camera: 'FaceTime HD Camera' },
    { type: 'ios', os: 'iOS 17.5', client_version: '7.21.3', network_type: '4g', ip: '10.64.8.9', protocol: 'tcp', microphone: 'iPhone 麦克风', speaker: 'iPhone 扬声器', camera: '前置摄像头' },
  ];
  const base = Date.now() - 2 * 86_400_000;
  const insert = db.transaction((from, to) => {
    for (let m = from; m < to; m++) {
      const id = String(7_000_000_000_000_000_000n + BigInt(m));
      const start = base + m * SPACING_MS;
      const end = start + 30_000;
      meeting.run(id, `Bench meeting ${m}`, start, start, end);
      for (let j = 0; j < PER_MEETING; j++) {
        const joined = start + j * 10;
        // each client reports its own LAN address: device facts differ from session to session, as they do
        const device = JSON.stringify({ ...devices[j % 3], ip: `192.168.${m % 256}.${j % 250}` });
        participant.run(id, `u:${users[j]}`, users[j], joined, end, end - joined, j + 1);
        session.run(`ps_${m}_${j}`, id, `u:${users[j]}`, users[j], device, joined, end, end, j % 7 ? 'meeting_ended' : 'left', `198.51.100.${j % 254}`, j % 2);
      }
    }
  });
  const started = performance.now();
  for (let m = 0; m < meetings; m += 50) insert(m, Math.min(meetings, m + 50));
  db.close();
  console.log(JSON.stringify({ setup: setupDir, meetings, rows: meetings * PER_MEETING, seconds: +((performance.now() - started) / 1000).toFixed(1) }));
} else if (runDir) {
  if (!existsSync(join(runDir, 'openvc.db'))) throw new Error(`no store in ${runDir}: run --setup first`);
  const rt = await openRuntime(config(runDir), { logger: pino({ level: 'silent' }) });
  const app = await rt.repos.apps.find(APP);
  const principal = { kind: 'tenant', appId: app.appId, tenantKey: 'bench', appScopes: app.scopes };
  const first = await rt.store.db.selectFrom('meetings').select(['started_at']).where('tenant_key', '=', 'bench').orderBy('started_at').executeTakeFirstOrThrow();
  const s = (ms) => String(Math.floor(ms / 1000));
  const query = participantListQuery({ meeting_start_time: s(first.started_at), meeting_end_time: s(first.started_at + 86_000_000), meeting_no: MEETING_NO }, Date.now(), fail);
  const started = performance.now();
  const cpu = process.cpuUsage();
  const taskId = await rt.exports.create(principal, 'participant_list', query, 'open_id', 'Asia/Shanghai', fail);
  await rt.exportJobs.runDue();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const task = await rt.repos.exports.byId(taskId);
  if (task.status !== 3) throw new Error(`the export did not finish: ${JSON.stringify(task)}`);
  await rt.store.close();
  console.log(JSON.stringify({ rows: task.rows_done, seconds: +seconds.toFixed(2), rowsPerS: Math.round(task.rows_done / seconds), cpuSeconds: +((used.user + used.system) / 1e6).toFixed(2), bytes: task.file_size, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }));
}
