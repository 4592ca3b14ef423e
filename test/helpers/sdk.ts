import { expect } from 'vitest';
import { sdkError } from './server.js';

/** The data of a successful SDK call. */
export async function ok<T extends { code?: number; msg?: string; data?: unknown }>(p: Promise<T>): Promise<NonNullable<T['data']>> {
  const res = await p;
  expect(res.code).toBe(0);
  expect(res.msg).toBe('success');
  return res.data as NonNullable<T['data']>;
}

/** HTTP status, code and message of an SDK call that failed with a non-2xx status. */
export async function failure(p: Promise<unknown>): Promise<[number, number, string]> {
  const e = await sdkError(p);
  return [e.status, e.body.code as number, e.body.msg as string];
}
