/**
 * Reading `downloadbill`'s answer: a gzip or plain-text bill on success, an unsigned FAIL XML otherwise
 * (`No Bill Exist` on a day without trades). Pure apart from gunzip.
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { WechatBillDownloadError, WechatPayResponseError } from '../../errors';
import { parseXml } from '../../xml';
import type { DownloadBillResult } from './types';

const gunzipAsync = promisify(gunzip);
const GZIP_MAGIC = [0x1f, 0x8b];
/** WeChat writes "No Bill Exist" although its docs once said "NO Bill Exist"; compare case-blind. */
const NO_BILL = 'no bill exist';

/** The decoded bill, or `exists: false`; throws WechatBillDownloadError on a FAIL answer. */
export async function readBillResponse(body: Buffer, maxBytes: number): Promise<DownloadBillResult> {
  let bytes = body;
  if (body[0] === GZIP_MAGIC[0] && body[1] === GZIP_MAGIC[1]) {
    try {
      bytes = await gunzipAsync(body, { maxOutputLength: maxBytes });
    } catch (err) {
      throw new WechatPayResponseError(
        `bill is not valid gzip or exceeds ${maxBytes} bytes: ${(err as Error).message}`,
      );
    }
  }
  const text = bytes.toString('utf8');
  if (!text.trimStart().startsWith('<xml>')) return { exists: true, text };
  const fields = await parseXml(text, { maxBytes, source: 'upstream' });
  const returnMsg = fields.return_msg ?? '';
  if (fields.return_code === 'FAIL' && returnMsg.toLowerCase() === NO_BILL) return { exists: false };
  throw new WechatBillDownloadError(
    returnMsg || `return_code ${fields.return_code ?? 'missing'}`,
    fields.error_code ?? '',
  );
}
