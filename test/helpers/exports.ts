import type { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import * as lark from '@larksuiteoapi/node-sdk';
import { expect } from 'vitest';

type Json = Record<string, any>;
/** The SDK's per-call options (a user token). */
type RequestOptions = ReturnType<typeof lark.withUserAccessToken>;

/** A participant-protocol client of one user on a test server. */
export function protocol(url: string, token: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as Json;
    expect(json.code, `${method} ${path}: ${JSON.stringify(json)}`).toBe(0);
    return json.data as Json;
  };
  return {
    start: (topic: string, device: Json) => call('POST', '/client/v1/meetings', { topic, device }),
    join: (meetingNo: string, device: Json) => call('POST', '/client/v1/meetings/join', { meeting_no: meetingNo, device }),
    media: (session: string, media: { audio?: boolean; video?: boolean }) => call('POST', `/client/v1/sessions/${session}/media`, media),
    share: (session: string, on: boolean) => call('POST', `/client/v1/sessions/${session}/share/${on ? 'start' : 'stop'}`),
    stats: (session: string, samples: Json[]) => call('POST', `/client/v1/sessions/${session}/stats`, { samples }),
    leave: (session: string) => call('POST', `/client/v1/sessions/${session}/leave`),
  };
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(parts);
}

export type Row = (string | number | null)[];

/** The first sheet's rows as plain values (header first); blank cells are null. */
export async function sheetOf(xlsx: Buffer): Promise<{ name: string; rows: Row[] }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(xlsx as unknown as ArrayBuffer);
  const ws = wb.worksheets[0]!;
  const width = ws.getRow(1).cellCount;
  const rows: Row[] = [];
  ws.eachRow({ includeEmpty: true }, (row) => {
    rows.push(Array.from({ length: width }, (_, i) => (row.getCell(i + 1).value as string | number | null) ?? null));
  });
  return { name: ws.name, rows };
}

/** Polls an export task until it is over. */
export async function finished(client: lark.Client, taskId: string, opts?: RequestOptions): Promise<Json> {
  for (let i = 0; i < 150; i++) {
    const r = await client.vc.export.get({ path: { task_id: taskId } }, opts);
    expect(r.code).toBe(0);
    if (r.data!.status !== 1) return r.data as Json;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`export task ${taskId} did not finish`);
}

/** Runs an export through the SDK and returns its sheet. */
export async function exported(client: lark.Client, create: Promise<{ code?: number; msg?: string; data?: { task_id?: string } }>, opts?: RequestOptions): Promise<{ name: string; rows: Row[]; headers: Json }> {
  const created = await create;
  expect(created.code, JSON.stringify(created)).toBe(0);
  const task = await finished(client, created.data!.task_id!, opts);
  expect(task, JSON.stringify(task)).toMatchObject({ status: 3, file_token: expect.any(String) });
  const file = await client.vc.export.download({ params: { file_token: task.file_token } }, opts);
  return { ...(await sheetOf(await readAll(file.getReadableStream()))), headers: file.headers as Json };
}

/** The JSON body of a download that failed (the SDK asks for a stream, so the error body is one). */
export async function downloadError(p: Promise<unknown>): Promise<{ status: number; body: Json }> {
  try {
    await p;
  } catch (e) {
    const err = e as { response?: { status: number; data: Readable } };
    if (err.response) return { status: err.response.status, body: JSON.parse((await readAll(err.response.data)).toString('utf8')) as Json };
    throw e;
  }
  throw new Error('expected the download to fail');
}

/** `2022.07.21 11:01:40 (GMT+08:00)` for Asia/Shanghai (no DST since 1991), computed independently of the server. */
export function shanghai(ms: number): string {
  const d = new Date(ms + 8 * 3600_000).toISOString();
  return `${d.slice(0, 4)}.${d.slice(5, 7)}.${d.slice(8, 10)} ${d.slice(11, 19)} (GMT+08:00)`;
}

export function hms(ms: number): string {
  const s = Math.floor(ms / 1000);
  return [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':');
}
