/** Reading a v3 JSON request body field by field, answering PARAM_ERROR that names the field. Pure. */
import { paramError, type V3Answer } from './answer';

export type { Json } from './resources';
import type { Json } from './resources';

export class ParamProblem extends Error {
  override readonly name = 'ParamProblem';
  constructor(readonly answer: V3Answer) {
    super(answer.json?.message as string);
  }
}

/** Throws ParamProblem naming the path (`amount.total`). */
export function fail(field: string, issue: string, value?: unknown): never {
  throw new ParamProblem(paramError(field, issue, value));
}

export function objectAt(json: Json, field: string, required: boolean): Json | undefined {
  const value = json[field.split('.').pop()!];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, '此字段为必填项，应为JSON对象');
  return value as Json;
}

/** A string of at most `maxBytes` UTF-8 bytes (v3 String(N) counts bytes too). */
export function stringAt(json: Json, field: string, required: boolean, maxBytes = 256): string | undefined {
  const value = json[field.split('.').pop()!];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') fail(field, '此字段为必填项，应为非空字符串', value);
  if (Buffer.byteLength(value, 'utf8') > maxBytes) fail(field, `长度超过${maxBytes}字节`, value);
  return value;
}

/** A JSON integer in fen, > 0 (a string "100" or 1.5 is refused, as WeChat does). */
export function fenAt(json: Json, field: string): number {
  const value = json[field.split('.').pop()!];
  if (!Number.isSafeInteger(value) || (value as number) <= 0 || (value as number) > 2_147_483_647) {
    fail(field, '应为大于0的整数（单位：分）', value);
  }
  return value as number;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function timeAt(json: Json, field: string): Date | undefined {
  const value = stringAt(json, field, false, 64);
  if (value === undefined) return undefined;
  const date = new Date(value);
  if (!RFC3339.test(value) || !Number.isFinite(date.getTime()))
    fail(field, '应为RFC3339格式，如2018-06-08T10:34:56+08:00', value);
  return date;
}

/** v3 times: RFC 3339 in Beijing time. */

export { rfc3339 } from './resources';
