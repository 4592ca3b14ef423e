import { Type } from '@sinclair/typebox';
import { encodePageToken } from '../contract/page-token.js';

export interface Page<T> {
  items: T[];
  has_more: boolean;
  /** '' on the last page, as Feishu answers */
  page_token: string;
}

/** Builds a page from a query that fetched one row more than `size`. */
export function pageOf<T>(rows: T[], size: number, cursorOf: (last: T) => Record<string, string | number>): Page<T> {
  const has_more = rows.length > size;
  const items = has_more ? rows.slice(0, size) : rows;
  const last = items[items.length - 1];
  return { items, has_more, page_token: has_more && last !== undefined ? encodePageToken(cursorOf(last)) : '' };
}

export const PageSize = (def: number, max: number, min = 1) =>
  Type.Optional(Type.Integer({ minimum: min, maximum: max, default: def, description: `page size, ${min}–${max}, default ${def}` }));

export const PageToken = Type.Optional(Type.String({ maxLength: 1024, description: 'opaque token from the previous page' }));
