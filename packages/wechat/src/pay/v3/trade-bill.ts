/**
 * Reading v3's trade bill (`GET /v3/bill/tradebill`): the apply answer (`hash_type`, `hash_value`,
 * `download_url`) and the downloaded file, gunzipped and checked against that digest. Pure apart from gunzip.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { WechatBillHashError, WechatPayResponseError } from '../../errors';
import { stringField, type JsonObject } from './json';

const gunzipAsync = promisify(gunzip);

/** v3 has no RECHARGE_REFUND bill; ALL when absent. */
export const V3_BILL_TYPES = ['ALL', 'SUCCESS', 'REFUND'] as const;

export interface TradeBillApply {
  hashType: 'SHA1';
  /** Lower-case hex digest of the bill as written, before gzip (WeChat: 原始账单（gzip需要解压缩）的摘要值). */
  hashValue: string;
  downloadUrl: URL;
}

/** `yyyyMMdd` (the gateway's form, as v2 takes it) → v3's `yyyy-MM-dd`. */
export function v3BillDate(billDate: string): string {
  return `${billDate.slice(0, 4)}-${billDate.slice(4, 6)}-${billDate.slice(6, 8)}`;
}

/** The verified apply answer's three fields; a missing one or another algorithm is malformed (unknown). */
export function readTradeBillApply(json: JsonObject | undefined): TradeBillApply {
  const hashType = stringField(json, 'hash_type');
  const hashValue = stringField(json, 'hash_value');
  const downloadUrl = stringField(json, 'download_url');
  if (hashType?.toUpperCase() !== 'SHA1') {
    throw new WechatPayResponseError(`tradebill: hash_type ${hashType ?? 'missing'} is not SHA1`);
  }
  if (!hashValue || !/^[0-9a-fA-F]{40}$/.test(hashValue)) {
    throw new WechatPayResponseError('tradebill: hash_value is not a SHA1 hex digest');
  }
  let url: URL;
  try {
    url = new URL(downloadUrl ?? '');
  } catch {
    throw new WechatPayResponseError('tradebill: download_url is missing or not a URL');
  }
  return { hashType: 'SHA1', hashValue: hashValue.toLowerCase(), downloadUrl: url };
}

/**
 * The bill's text once its digest matches; throws WechatBillHashError otherwise, and WechatPayResponseError
 * on gzip that does not inflate or exceeds `maxBytes`.
 */
export async function readTradeBillFile(
  body: Buffer,
  apply: TradeBillApply,
  options: { gzip: boolean; maxBytes: number },
): Promise<string> {
  let bytes = body;
  if (options.gzip) {
    try {
      bytes = await gunzipAsync(body, { maxOutputLength: options.maxBytes });
    } catch (err) {
      throw new WechatPayResponseError(
        `bill is not valid gzip or exceeds ${options.maxBytes} bytes: ${(err as Error).message}`,
      );
    }
  }
  const actual = createHash('sha1').update(bytes).digest('hex');
  if (actual !== apply.hashValue) throw new WechatBillHashError(apply.hashType, apply.hashValue, actual);
  return bytes.toString('utf8');
}
