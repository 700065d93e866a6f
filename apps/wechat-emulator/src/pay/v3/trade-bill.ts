/**
 * v3's trade bill in two steps: `GET /v3/bill/tradebill` applies for a day's bill and answers its SHA1 and a
 * download URL (valid 30 s); `GET /v3/billdownload/file?token=…` serves the file, unsigned, gzip when asked.
 * The bill is v2's (`tradeBillText`): the same rows, summary and back-ticks.
 */
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { MerchantConfig } from '../../config';
import type { Deps } from '../../deps';
import { dayOf, parseBillDate, tradeBillText } from '../downloadbill';
import { answer, paramError, v3Error, type V3Answer } from './answer';

/** 协议: 供下一步请求账单文件的下载地址，该地址30s内有效. */
const DOWNLOAD_TTL_MS = 30_000;
const BILL_TYPES = ['ALL', 'SUCCESS', 'REFUND'];

interface BillFile {
  mchId: string;
  bytes: Buffer;
  expiresAt: number;
}

export interface TradeBillQuery {
  billDate: string | undefined;
  billType: string | undefined;
  tarType: string | undefined;
}

/** The files applied for, by download token; a test spoils the next announced digest with `badhash`. */
export class TradeBillFiles {
  private readonly files = new Map<string, BillFile>();

  /** Applies for `merchant`'s bill; `origin` is where the download URL points (the request's own origin). */
  apply(deps: Deps, merchant: MerchantConfig, query: TradeBillQuery, origin: string, now = Date.now()): V3Answer {
    const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(query.billDate ?? '');
    const billDate = date ? parseBillDate(`${date[1]}${date[2]}${date[3]}`) : null;
    if (!billDate) return paramError('bill_date', '应为yyyy-MM-dd格式的日期', query.billDate, 'query');
    // A day to come has no bill yet.
    if (billDate > dayOf(now)) return v3Error(400, 'INVALID_REQUEST', '参数错误，请检查bill_date，并重新调用');
    const billType = query.billType ?? 'ALL';
    if (!BILL_TYPES.includes(billType)) return paramError('bill_type', '应为ALL、SUCCESS或REFUND', billType, 'query');
    if (query.tarType !== undefined && query.tarType !== 'GZIP') {
      return paramError('tar_type', '应为GZIP', query.tarType, 'query');
    }
    const text = tradeBillText(deps, merchant.mchId, billDate, billType);
    if (text === null) {
      return v3Error(400, 'NO_STATEMENT_EXIST', '账单文件不存在，请检查当前商户号是否在指定日期有交易或退款发生');
    }
    const raw = Buffer.from(text, 'utf8');
    const badHash = deps.state.takeFault('tradebill', (kind) => kind === 'badhash');
    // The digest is of the bill as written, before gzip (协议: 原始账单（gzip需要解压缩）的摘要值).
    const hash = createHash('sha1')
      .update(badHash ? Buffer.concat([raw, Buffer.from('\n')]) : raw)
      .digest('hex');
    for (const [token, file] of this.files) if (file.expiresAt <= now) this.files.delete(token);
    const token = randomBytes(24).toString('base64url');
    const bytes = query.tarType === 'GZIP' ? gzipSync(raw) : raw;
    this.files.set(token, { mchId: merchant.mchId, bytes, expiresAt: now + DOWNLOAD_TTL_MS });
    const downloadUrl = `${origin}/v3/billdownload/file?token=${token}`;
    return answer(200, { hash_type: 'SHA1', hash_value: hash, download_url: downloadUrl });
  }

  /** The file for `token`, or WeChat's refusal: an unknown or expired token, or another merchant's bill. */
  download(merchant: MerchantConfig, token: string | undefined, now = Date.now()): Buffer | V3Answer {
    const file = token === undefined ? undefined : this.files.get(token);
    if (!file || file.expiresAt <= now) {
      return v3Error(400, 'INVALID_REQUEST', '参数错误，请按申请账单的API指引，重新获取账单地址后再请求');
    }
    if (file.mchId !== merchant.mchId) {
      return v3Error(403, 'NO_AUTH', '权限异常，请检查本次请求的商户是否与申请账单API的请求商户一致');
    }
    return file.bytes;
  }
}
