import { Type, type TSchema } from '@sinclair/typebox';

/** `{code, msg, data}` — the success shape of every VC and contact API (common.md §1). */
export const Envelope = <T extends TSchema>(data: T) =>
  Type.Object({ code: Type.Integer(), msg: Type.String(), data: data });

export const EmptyData = Type.Object({});

export function ok<T>(data: T): { code: 0; msg: 'success'; data: T } {
  return { code: 0, msg: 'success', data };
}
