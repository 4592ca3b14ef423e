import { Writable } from 'node:stream';
import { crc32, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ZonedTime, duration, isTimeZone, maskMobile, withUnit } from '../src/domain/export/format.js';
import { combineMinute, parseSample } from '../src/domain/export/quality.js';
import { meetingListQuery, participantListQuery, qualityListQuery, reservationListQuery, type Fail, type QueryProblem } from '../src/domain/export/queries.js';
import { checkInDeviceText, checkInStatusText, releaseText, reservationStatusText, type BookingFacts } from '../src/domain/export/reservation.js';
import { deviceLabel } from '../src/domain/export/participant-facts.js';
import { XlsxWriter, columnName, escapeXml } from '../src/export/xlsx/workbook.js';
import { sheetOf } from './helpers/exports.js';

class Problem extends Error {
  constructor(readonly problem: QueryProblem) {
    super(problem);
  }
}
const fail: Fail = (problem) => {
  throw new Problem(problem);
};
const problemOf = (f: () => unknown): QueryProblem | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof Problem) return e.problem;
    throw e;
  }
  return undefined;
};

/** Every entry of a zip, inflated and checked against the CRC and sizes its central directory records. */
function unzip(zip: Buffer): Map<string, string> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  const entries = new Map<string, string>();
  for (let i = 0, at = zip.readUInt32LE(end + 16); i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const [crc, compressed, size, nameLen, extraLen, commentLen, offset] = [zip.readUInt32LE(at + 16), zip.readUInt32LE(at + 20), zip.readUInt32LE(at + 24), zip.readUInt16LE(at + 28), zip.readUInt16LE(at + 30), zip.readUInt16LE(at + 32), zip.readUInt32LE(at + 42)];
    const name = zip.toString('utf8', at + 46, at + 46 + nameLen);
    const dataAt = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
    const data = inflateRawSync(zip.subarray(dataAt, dataAt + compressed));
    expect([data.length, crc32(data) >>> 0], name).toEqual([size, crc]);
    // the data descriptor after the data says the same
    expect([zip.readUInt32LE(dataAt + compressed), zip.readUInt32LE(dataAt + compressed + 4), zip.readUInt32LE(dataAt + compressed + 12)], name).toEqual([0x08074b50, crc, size]);
    entries.set(name, data.toString('utf8'));
    at += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

async function xlsx(columns: string[], rows: (string | number | null)[][], batches = 1): Promise<Buffer> {
  const parts: Buffer[] = [];
  const out = new Writable({ write: (c: Buffer, _e, cb) => (parts.push(c), cb()) });
  const w = await XlsxWriter.open(out, { sheetName: 'Sheet <1>', columns: columns.map((header) => ({ header })) });
  const size = Math.ceil(rows.length / batches);
  for (let i = 0; i < rows.length; i += size) await w.addRows(rows.slice(i, i + size));
  await w.finish();
  return Buffer.concat(parts);
}

describe('export value formats', () => {
  it('formats times in a zone, through daylight-saving changes and half-hour offsets', () => {
    const sh = new ZonedTime('Asia/Shanghai');
    expect(sh.dateTime(Date.UTC(2022, 6, 21, 3, 1, 40))).toBe('2022.07.21 11:01:40 (GMT+08:00)');
    expect(sh.stamp(Date.UTC(2022, 6, 21, 3, 1, 40))).toBe('20220721_110140');
    const ny = new ZonedTime('America/New_York');
    expect(ny.dateTime(Date.UTC(2024, 2, 10, 6, 59, 59))).toBe('2024.03.10 01:59:59 (GMT-05:00)');
    expect(ny.dateTime(Date.UTC(2024, 2, 10, 7, 0, 0))).toBe('2024.03.10 03:00:00 (GMT-04:00)');
    // Lord Howe moves half an hour at 02:00 local, in the middle of a UTC hour
    const lh = new ZonedTime('Australia/Lord_Howe');
    expect(lh.dateTime(Date.UTC(2024, 9, 5, 15, 29, 59))).toBe('2024.10.06 01:59:59 (GMT+10:30)');
    expect(lh.dateTime(Date.UTC(2024, 9, 5, 15, 30, 0))).toBe('2024.10.06 02:30:00 (GMT+11:00)');
    expect(new ZonedTime('Asia/Kolkata').dateTime(0)).toBe('1970.01.01 05:30:00 (GMT+05:30)');
    expect([isTimeZone('UTC'), isTimeZone('Mars/Olympus')]).toEqual([true, false]);
  });

  it('formats durations, masks phones, adds units', () => {
    expect([duration(3600_000), duration(118_999), duration(-5), duration(100 * 3600_000)]).toEqual(['01:00:00', '00:01:58', '00:00:00', '100:00:00']);
    expect([maskMobile('+8612345678910'), maskMobile('+14155550100'), maskMobile('12345'), maskMobile(null)]).toEqual(['+86123****8910', '+141****0100', '****2345', '']);
    expect([withUnit(50, 'kbps'), withUnit(0.25, '%'), withUnit(2.0000000001, '%'), withUnit(null, 'ms')]).toEqual(['50kbps', '0.3%', '2%', '']);
    expect([deviceLabel('desktop', 'Windows 11'), deviceLabel('desktop', 'macOS 14.5'), deviceLabel('ios', 'iPadOS 17.5'), deviceLabel('room', ''), deviceLabel('web', '')]).toEqual(['WINDOWS', 'MAC', 'IPAD', 'ROOMS', 'WEB']);
  });

  it('combines the samples of a minute; old clients that send only the summary still count', () => {
    const legacy = parseSample(60_000, { minute: 60, bitrate_kbps: 900, packet_loss: 0.02, rtt_ms: 50, cpu: 30 });
    expect(legacy).toMatchObject({ rttMs: 50, cpu: { clientMin: 30, clientAvg: 30, clientMax: 30, systemMax: null }, audio: { sent: { bitrateKbps: null } } });
    const rich = parseSample(60_000, { minute: 60, cpu: 10, cpu_max: 50, audio: { sent: { bitrate_kbps: 40, packet_loss: 0.1 } } });
    const both = combineMinute([legacy, rich]);
    expect(both.cpu).toMatchObject({ clientMin: 10, clientAvg: 20, clientMax: 50 });
    expect(both.audio.sent).toMatchObject({ bitrateKbps: 40, lossAvg: 10, lossMax: 10 });
  });
});

describe('the xlsx writer', () => {
  it('writes a valid zip whose sheet reads back, cell for cell', async () => {
    const rows = [
      ['<tag> & "quotes"', 42, null, ' padded '],
      ['ctrl\u0001\u0008chars', 3.25, '', 'emoji 😀 and lone \ud800 surrogate'],
      ['中文', -1, 'x'.repeat(5000), '\ttab'],
    ];
    const file = await xlsx(['A', 'B', 'C', 'D'], rows, 2);
    const parts = unzip(file);
    expect([...parts.keys()]).toEqual(['[Content_Types].xml', '_rels/.rels', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']);
    expect(parts.get('xl/workbook.xml')).toContain('name="Sheet &lt;1&gt;"');
    const sheet = await sheetOf(file);
    expect(sheet.rows).toEqual([
      ['A', 'B', 'C', 'D'],
      ['<tag> & "quotes"', 42, null, ' padded '],
      ['ctrlchars', 3.25, null, 'emoji 😀 and lone  surrogate'],
      ['中文', -1, 'x'.repeat(5000), '\ttab'],
    ]);
  });

  it('names columns and escapes like a spreadsheet expects', () => {
    expect([columnName(0), columnName(25), columnName(26), columnName(34), columnName(701), columnName(702)]).toEqual(['A', 'Z', 'AA', 'AI', 'ZZ', 'AAA']);
    expect(escapeXml('plain')).toBe('plain');
    expect(escapeXml('a<b>&c\u0000')).toBe('a&lt;b&gt;&amp;c');
  });
});

describe('export queries', () => {
  const now = Date.UTC(2024, 4, 10);
  const s = (ms: number) => String(ms / 1000);
  const day = 86_400_000;

  it('checks windows, numbers and filters, naming the problem', () => {
    const ml = (extra: Record<string, unknown>, allowFuture = true) => () => meetingListQuery({ start_time: s(now - day), end_time: s(now), ...extra }, now, allowFuture, fail);
    expect(ml({})()).toMatchObject({ window: { from: now - day, to: now + 999 }, status: 2, meetingType: 1, includeExternal: false });
    expect(problemOf(ml({ start_time: s(now), end_time: s(now - 1000) }))).toBe('range');
    expect(problemOf(ml({ start_time: s(now - 366 * day) }))).toBe('range');
    expect(problemOf(ml({ start_time: '-5' }))).toBe('time');
    expect(problemOf(ml({ start_time: s(now + 1000), end_time: s(now + 2000) }))).toBe('start_in_future');
    // future meetings: a window ahead of now, at most a month long; not in the JSON twin
    expect(ml({ meeting_status: 3, start_time: s(now + day), end_time: s(now + 2 * day) })()).toMatchObject({ status: 3 });
    expect(problemOf(ml({ meeting_status: 3, start_time: s(now), end_time: s(now + 40 * day) }))).toBe('future_range');
    expect(problemOf(ml({ meeting_status: 3 }, false))).toBe('status');
    expect(problemOf(ml({ meeting_no: '123456789', meeting_type: 2 }))).toBe('several_filters');
    expect(ml({ meeting_no: '123456789', meeting_type: 1 })()).toMatchObject({ meetingNo: '123456789' });
    expect(problemOf(ml({ meeting_no: '12x' }))).toBe('meeting_no_invalid');
    expect(problemOf(ml({ meeting_no: '1234567890' }))).toBe('meeting_no_length');
    expect(problemOf(ml({ meeting_type: 4 }))).toBe('meeting_type');
    // a room filter is carried to the row source, which looks the room up
    expect(ml({ room_id: 'omm_1' })()).toMatchObject({ roomId: 'omm_1' });
    expect(problemOf(ml({ room_id: 'omm_1', user_id: 'u' }))).toBe('several_filters');

    const pl = (extra: Record<string, unknown>) => () => participantListQuery({ meeting_start_time: s(now - 3600_000), meeting_end_time: s(now), meeting_no: '123456789', ...extra }, now, fail);
    expect(pl({ user_id: 'u' })()).toMatchObject({ meetingNo: '123456789', userId: 'u', status: 2 });
    expect(problemOf(pl({ meeting_start_time: s(now - 2 * day) }))).toBe('range');
    expect(problemOf(pl({ user_id: 'u', room_id: 'r' }))).toBe('user_and_room');

    const ql = (extra: Record<string, unknown>) => () => qualityListQuery({ meeting_start_time: s(now - 3599_000), meeting_end_time: s(now), meeting_no: '123456789', join_time: s(now - 60_000), ...extra }, now, fail);
    // the start counts to the minute
    expect(ql({ user_id: 'u' })()).toMatchObject({ window: { from: now - 3600_000 }, joinTime: now - 60_000, userId: 'u' });
    expect(problemOf(ql({}))).toBe('no_participant');
    expect(problemOf(ql({ user_id: 'u', room_id: 'r' }))).toBe('user_and_room');
    expect(problemOf(ql({ join_time: 'soon', user_id: 'u' }))).toBe('time');
    expect(ql({ room_id: 'omm_r' })()).toMatchObject({ roomId: 'omm_r' });
    expect(ql({ room_id: 'omm_r' })()).not.toHaveProperty('userId');

    const rl = (extra: Record<string, unknown>) => () => reservationListQuery({ room_level_id: '0', start_time: s(now - day), end_time: s(now), ...extra }, now, fail);
    expect(rl({ room_ids: ['a', 'b', 'a', ''], need_topic: true })()).toEqual({ window: { from: now - day, to: now + 999 }, levelId: '0', needTopic: true, roomIds: ['a', 'b'], exclude: false });
    expect(rl({ is_exclude: true })()).toMatchObject({ roomIds: [], exclude: true, needTopic: false });
    expect(problemOf(rl({ start_time: s(now - day - 1000) }))).toBe('range');
    expect(problemOf(rl({ start_time: s(now), end_time: s(now - 1000) }))).toBe('range');
    expect(problemOf(rl({ start_time: s(now + 1000), end_time: s(now + 2000) }))).toBe('start_in_future');
    expect(problemOf(rl({ end_time: '1.5' }))).toBe('time');
    expect(problemOf(rl({ room_ids: Array.from({ length: 101 }, (_, i) => `r${i}`) }))).toBe('room_ids');
  });
});

describe('room reservation texts (export.md §9.4)', () => {
  const H = 3_600_000;
  const M = 60_000;
  const start = Date.UTC(2024, 4, 10, 2);
  const base: BookingFacts = { status: 'confirmed', start_time: start, created_at: start - 2 * H, decided_at: null, check_in_deadline: start + 15 * M, checked_in_at: null, check_in_method: null, release_reason: null };
  const b = (x: Partial<BookingFacts>): BookingFacts => ({ ...base, ...x });

  it('reads the reservation status and check-in device', () => {
    expect(reservationStatusText(b({ status: 'pending' }))).toBe('审批中');
    expect(reservationStatusText(b({}))).toBe('预定成功');
    const released = ['manual', 'meeting_ended', 'no_check_in', 'sensor'].map((r) => reservationStatusText(b({ status: 'released', release_reason: r })));
    expect(released).toEqual(['已释放（手动释放）', '已释放（会议结束后自动释放）', '已释放（未签到被释放）', '已释放（传感器自动释放）']);
    expect([releaseText({ status: 'confirmed', released_at: null, end_time: 2 }), releaseText({ status: 'released', released_at: 1, end_time: 2 }), releaseText({ status: 'released', released_at: 2, end_time: 2 })]).toEqual(['否', '是', '否']);
    const devices = ['sign_in_board', 'qr_code', 'controller', 'touch_panel', 'offline_auto', null].map((m) => checkInDeviceText(b({ check_in_method: m })));
    expect(devices).toEqual(['签到板', '签到二维码', '控制器', '触屏板', '设备离线，自动签到', '']);
  });

  it('reads the check-in status as of the export', () => {
    const at = (x: Partial<BookingFacts>, now: number, room: { start: number; end: number | null } | null = null) => checkInStatusText(b(x), room, now);
    expect(at({ checked_in_at: start + M, check_in_method: 'qr_code' }, start + H)).toBe('已签到');
    expect(at({ status: 'released', release_reason: 'no_check_in' }, start + H)).toBe('超时未签到');
    expect(at({ status: 'pending', check_in_deadline: null }, start - H)).toBe('无需签到');
    // no deadline: booked (or approved) once its time had begun, or check-in was off
    expect(at({ check_in_deadline: null, created_at: start + M }, start + H)).toBe('无需签到（即时预定）');
    expect(at({ check_in_deadline: null, created_at: start - H, decided_at: start + M }, start + H)).toBe('无需签到（即时预定）');
    expect(at({ check_in_deadline: null }, start + H)).toBe('无需签到（未开启签到设置）');
    // a check-in due
    expect(at({}, start - H)).toBe('待签到');
    expect(at({}, start - 10 * M)).toBe('签到时间未结束');
    expect(at({}, start + 15 * M)).toBe('签到时间未结束');
    expect(at({}, start + 16 * M)).toBe('超时未签到');
    expect(at({ status: 'released', release_reason: 'manual' }, start + H)).toBe('无需签到');
    expect(at({}, start - H, { start: start - 5 * M, end: null })).toBe('不可签到（会议室被禁用）');
    expect(at({}, start - H, { start: start + H, end: null })).toBe('待签到');
  });
});
