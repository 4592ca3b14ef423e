import { ApiError } from '../../src/contract/errors.js';

/** The Feishu code of the ApiError `f` throws (fails the test if it throws nothing or something else). */
export function errorCode(f: () => unknown): number {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
  throw new Error('expected an ApiError');
}
