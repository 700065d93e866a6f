/**
 * WeChat Pay API v2 client (api.mch.weixin.qq.com): signed XML requests, verified XML responses,
 * bounded retries of identical bodies. Only the HTTP exchange itself lives in xml-transport.
 */
import { endpointUrl } from './base-url';
import {
  isPayRefusal,
  WechatPayBusinessError,
  WechatPayCommunicationError,
  WechatPayResponseError,
  WechatSignatureError,
  WechatTransportError,
} from './errors';
import { optionalField, parseNonNegativeInt } from './fields';
import { beijingTime, randomString } from './nonce';
import { isSignType, sign, verify, type SignType } from './sign';
import { postXml, type ClientTls } from './xml-transport';
import { buildXml, parseXml, type FlatXml } from './xml';

export type { ClientTls } from './xml-transport';

export interface PayClientOptions {
  appId: string;
  mchId: string;
  apiKey: string;
  signType: SignType;
  /** e.g. https://api.mch.weixin.qq.com or http://127.0.0.1:4000 */
  payBaseUrl: string;
  /** Base URL for /secapi/* (refund); defaults to payBaseUrl. */
  secapiBaseUrl?: string;
  /** Merchant client certificate (PEM) presented on /secapi/*, and an extra CA trusted for every HTTPS call. */
  tls?: ClientTls;
  timeoutMs?: number;
  /** Extra attempts after the first, for retryable failures only. */
  retries?: number;
  /** First backoff delay; doubles per retry. */
  retryDelayMs?: number;
  /** Response size cap. */
  maxResponseBytes?: number;
}

export type TradeType = 'JSAPI' | 'NATIVE';

export interface UnifiedOrderInput {
  outTradeNo: string;
  body: string;
  /** Fen, positive integer. */
  totalFee: number;
  spbillCreateIp: string;
  notifyUrl: string;
  tradeType: TradeType;
  /** Required for JSAPI. */
  openid?: string;
  /** Required for NATIVE. */
  productId?: string;
  attach?: string;
  timeExpire?: Date;
}

export interface UnifiedOrderResult {
  prepayId: string;
  codeUrl?: string;
  tradeType: string;
  raw: Record<string, string>;
}

/** The documented trade_state values; ACCEPT (received, awaiting debit) appears in some doc revisions. */
const TRADE_STATES = ['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR', 'ACCEPT'] as const;
export type TradeState = (typeof TRADE_STATES)[number];

export interface OrderQueryResult {
  /**
   * 'UNKNOWN' when WeChat sends a state this client does not know (the verbatim value is
   * in `raw.trade_state`): a valid answer, to be treated as "not settled yet", never as paid.
   */
  tradeState: TradeState | 'UNKNOWN';
  tradeStateDesc: string;
  outTradeNo: string;
  transactionId?: string;
  totalFee?: number;
  cashFee?: number;
  openid?: string;
  timeEnd?: string;
  raw: Record<string, string>;
}

export interface RefundInput {
  outTradeNo: string;
  outRefundNo: string;
  totalFee: number;
  refundFee: number;
  refundDesc?: string;
  notifyUrl?: string;
}

export interface RefundResult {
  refundId: string;
  outRefundNo: string;
  refundFee: number;
  raw: Record<string, string>;
}

const REFUND_STATUSES = ['SUCCESS', 'REFUNDCLOSE', 'PROCESSING', 'CHANGE'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

export interface RefundQueryItem {
  outRefundNo: string;
  refundId: string;
  refundFee: number;
  /**
   * 'UNKNOWN' when WeChat sends a status this client does not know (verbatim in `rawStatus`):
   * a valid answer, to be treated as "still processing", never as refunded.
   */
  status: RefundStatus | 'UNKNOWN';
  /** The verbatim refund_status_$n, set only when `status` is 'UNKNOWN'. */
  rawStatus?: string;
}

export interface RefundQueryResult {
  refunds: RefundQueryItem[];
  raw: Record<string, string>;
}

type Params = Record<string, string | number | undefined>;

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;

function isPositiveFen(n: number): boolean {
  return Number.isSafeInteger(n) && n > 0;
}

/** 参数规定: out_trade_no ≤ 32 of [0-9A-Za-z_-|*]; out_refund_no ≤ 64 of the same plus @. */
const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{1,32}$/;
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;

function checkOutTradeNo(method: string, value: string): void {
  if (typeof value !== 'string' || !OUT_TRADE_NO.test(value)) throw new Error(`${method}: outTradeNo must be 1-32 characters of [0-9A-Za-z_-|*]`);
}

function checkOutRefundNo(method: string, value: string): void {
  if (typeof value !== 'string' || !OUT_REFUND_NO.test(value)) throw new Error(`${method}: outRefundNo must be 1-64 characters of [0-9A-Za-z_-|*@]`);
}

/** WeChat requires an absolute URL without a query string (notifications are POSTed to it as is). */
function checkNotifyUrl(method: string, value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${method}: notifyUrl must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${method}: notifyUrl must be http(s)`);
  if (value.includes('?') || value.includes('#')) throw new Error(`${method}: notifyUrl must not carry a query string or fragment`);
}

/** For a verified SUCCESS reply only: WeChat accepted the request, so this is never a refusal. */
function malformed(what: string): WechatPayResponseError {
  return new WechatPayResponseError(`malformed response: ${what}; WeChat answered SUCCESS, the outcome is unknown`);
}

function requireResponseField(fields: FlatXml, name: string): string {
  const value = optionalField(fields, name);
  if (value === undefined) throw malformed(`missing ${name}`);
  return value;
}

function optionalAmount(fields: FlatXml, name: string): number | undefined {
  const value = optionalField(fields, name);
  if (value === undefined) return undefined;
  const n = parseNonNegativeInt(value);
  if (n === null) throw malformed(`${name} is not an integer`);
  return n;
}

function isRetryable(err: unknown): boolean {
  if (err instanceof WechatTransportError) return err.status === undefined || err.status >= 500;
  return err instanceof WechatPayBusinessError && err.retryable;
}

/** A failed attempt WeChat may still have applied: no answer, a 5xx, or SYSTEMERROR (系统超时等). */
function mayHaveBeenApplied(err: unknown): boolean {
  if (err instanceof WechatTransportError) return err.status === undefined || err.status >= 500;
  return err instanceof WechatPayBusinessError && err.errCode === 'SYSTEMERROR';
}

/** /secapi/* knows the merchant by its client certificate: never send without one, nor over plain HTTP, which cannot carry it. */
function secapiClientCert(path: string, url: URL, tls: ClientTls | undefined): { cert: string | Buffer; key: string | Buffer } {
  if (!tls?.cert || !tls.key) throw new Error(`${path} needs the merchant client certificate (tls.cert and tls.key)`);
  if (url.protocol !== 'https:') throw new Error(`${path} needs an https secapiBaseUrl: the client certificate is only presented over TLS`);
  return { cert: tls.cert, key: tls.key };
}

interface CallOptions {
  /** Sent to secapiBaseUrl, presenting the merchant client certificate. */
  secapi?: boolean;
  /**
   * For calls that move money: a refusal on a retry does not undo an earlier attempt WeChat may have
   * applied (a rate limit, say, is checked before out_refund_no is looked up), so it is reported as unknown.
   */
  refusalAfterUnknownIsUnknown?: boolean;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class PayClient {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxResponseBytes: number;

  constructor(private readonly options: PayClientOptions) {
    if (!isSignType(options.signType)) throw new Error('signType must be MD5 or HMAC-SHA256');
    if (!options.appId || !options.mchId || !options.apiKey) throw new Error('PayClient needs appId, mchId and apiKey');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = Math.max(0, Math.min(options.retries ?? 2, 5));
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  }

  async unifiedOrder(input: UnifiedOrderInput): Promise<UnifiedOrderResult> {
    if (input.tradeType !== 'JSAPI' && input.tradeType !== 'NATIVE') throw new Error('tradeType must be JSAPI or NATIVE');
    if (input.tradeType === 'JSAPI' && !input.openid) throw new Error('unifiedOrder: JSAPI requires openid');
    if (input.tradeType === 'NATIVE' && !input.productId) throw new Error('unifiedOrder: NATIVE requires productId');
    if (!isPositiveFen(input.totalFee)) throw new Error('unifiedOrder: totalFee must be a positive integer (fen)');
    if (!input.outTradeNo || !input.body || !input.spbillCreateIp || !input.notifyUrl) {
      throw new Error('unifiedOrder: outTradeNo, body, spbillCreateIp and notifyUrl are required');
    }
    checkOutTradeNo('unifiedOrder', input.outTradeNo);
    checkNotifyUrl('unifiedOrder', input.notifyUrl);
    if (input.timeExpire !== undefined && !(input.timeExpire instanceof Date && Number.isFinite(input.timeExpire.getTime()))) {
      throw new Error('unifiedOrder: timeExpire must be a valid Date');
    }
    const fields = await this.call('/pay/unifiedorder', {
      device_info: 'WEB',
      body: input.body,
      attach: input.attach,
      out_trade_no: input.outTradeNo,
      fee_type: 'CNY',
      total_fee: input.totalFee,
      spbill_create_ip: input.spbillCreateIp,
      time_expire: input.timeExpire ? beijingTime(input.timeExpire) : undefined,
      notify_url: input.notifyUrl,
      trade_type: input.tradeType,
      product_id: input.tradeType === 'NATIVE' ? input.productId : undefined,
      openid: input.tradeType === 'JSAPI' ? input.openid : undefined,
    });
    const result: UnifiedOrderResult = {
      prepayId: requireResponseField(fields, 'prepay_id'),
      tradeType: optionalField(fields, 'trade_type') ?? input.tradeType,
      raw: fields,
    };
    const codeUrl = optionalField(fields, 'code_url');
    if (codeUrl !== undefined) result.codeUrl = codeUrl;
    else if (input.tradeType === 'NATIVE') throw malformed('missing code_url');
    return result;
  }

  async orderQuery(by: { outTradeNo: string } | { transactionId: string }): Promise<OrderQueryResult> {
    if ('transactionId' in by) {
      if (!by.transactionId) throw new Error('orderQuery: transactionId must not be empty');
    } else checkOutTradeNo('orderQuery', by.outTradeNo);
    const fields = await this.call(
      '/pay/orderquery',
      'transactionId' in by ? { transaction_id: by.transactionId } : { out_trade_no: by.outTradeNo },
    );
    const tradeStateField = requireResponseField(fields, 'trade_state');
    const result: OrderQueryResult = {
      tradeState: TRADE_STATES.find((s) => s === tradeStateField) ?? 'UNKNOWN',
      tradeStateDesc: fields.trade_state_desc ?? '',
      outTradeNo: requireResponseField(fields, 'out_trade_no'),
      raw: fields,
    };
    // A signed answer about another order (e.g. a replayed one) must not settle this one.
    if ('outTradeNo' in by && result.outTradeNo !== by.outTradeNo) throw malformed('out_trade_no is not the one queried');
    const transactionId = optionalField(fields, 'transaction_id');
    if ('transactionId' in by && transactionId !== undefined && transactionId !== by.transactionId) {
      throw malformed('transaction_id is not the one queried');
    }
    if (transactionId !== undefined) result.transactionId = transactionId;
    const totalFee = optionalAmount(fields, 'total_fee');
    if (totalFee !== undefined) result.totalFee = totalFee;
    const cashFee = optionalAmount(fields, 'cash_fee');
    if (cashFee !== undefined) result.cashFee = cashFee;
    const openid = optionalField(fields, 'openid');
    if (openid !== undefined) result.openid = openid;
    const timeEnd = optionalField(fields, 'time_end');
    if (timeEnd !== undefined) result.timeEnd = timeEnd;
    return result;
  }

  /** ORDERPAID / ORDERCLOSED surface as WechatPayBusinessError; the caller decides what they mean. */
  async closeOrder(outTradeNo: string): Promise<void> {
    checkOutTradeNo('closeOrder', outTradeNo);
    await this.call('/pay/closeorder', { out_trade_no: outTradeNo });
  }

  /**
   * Over mutual TLS only: needs tls.cert/key and an https secapiBaseUrl, else throws before sending.
   * Retrying is safe: out_refund_no is the idempotency key. A refusal answered to a retry after an attempt
   * with an unknown outcome → WechatTransportError (outcome unknown), the refusal as its `cause`.
   */
  async refund(input: RefundInput): Promise<RefundResult> {
    checkOutTradeNo('refund', input.outTradeNo);
    checkOutRefundNo('refund', input.outRefundNo);
    if (input.notifyUrl !== undefined) checkNotifyUrl('refund', input.notifyUrl);
    if (!isPositiveFen(input.totalFee) || !isPositiveFen(input.refundFee)) {
      throw new Error('refund: totalFee and refundFee must be positive integers (fen)');
    }
    if (input.refundFee > input.totalFee) throw new Error('refund: refundFee exceeds totalFee');
    const fields = await this.call(
      '/secapi/pay/refund',
      {
        out_trade_no: input.outTradeNo,
        out_refund_no: input.outRefundNo,
        total_fee: input.totalFee,
        refund_fee: input.refundFee,
        refund_fee_type: 'CNY',
        refund_desc: input.refundDesc,
        notify_url: input.notifyUrl,
      },
      { secapi: true, refusalAfterUnknownIsUnknown: true },
    );
    const refundFee = optionalAmount(fields, 'refund_fee');
    if (refundFee === undefined) throw malformed('missing refund_fee');
    const outRefundNo = requireResponseField(fields, 'out_refund_no');
    if (outRefundNo !== input.outRefundNo) throw malformed('out_refund_no is not the one requested');
    return {
      refundId: requireResponseField(fields, 'refund_id'),
      outRefundNo,
      refundFee,
      raw: fields,
    };
  }

  async refundQuery(by: { outRefundNo: string } | { outTradeNo: string }): Promise<RefundQueryResult> {
    if ('outRefundNo' in by) checkOutRefundNo('refundQuery', by.outRefundNo);
    else checkOutTradeNo('refundQuery', by.outTradeNo);
    const fields = await this.call(
      '/pay/refundquery',
      'outRefundNo' in by ? { out_refund_no: by.outRefundNo } : { out_trade_no: by.outTradeNo },
    );
    return { refunds: parseRefundList(fields), raw: fields };
  }

  /**
   * Signs, sends and verifies one API call, retrying identical bodies on transient failures.
   * Returns the verified fields of a SUCCESS/SUCCESS response.
   */
  private async call(path: string, params: Params, options: CallOptions = {}): Promise<FlatXml> {
    const { appId, mchId, apiKey, signType, tls } = this.options;
    const base = options.secapi ? (this.options.secapiBaseUrl ?? this.options.payBaseUrl) : this.options.payBaseUrl;
    const url = new URL(endpointUrl(base, path));
    const clientCert = options.secapi ? secapiClientCert(path, url, tls) : undefined;
    const signed: Params = { appid: appId, mch_id: mchId, nonce_str: randomString(32), sign_type: signType, ...params };
    signed.sign = sign(signed, apiKey, signType);
    // Built once: a retry must resend byte-for-byte the same request.
    const body = buildXml(signed);

    let outcomeUnknown = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await postXml(url, body, { timeoutMs: this.timeoutMs, maxBytes: this.maxResponseBytes, ca: tls?.ca, clientCert });
        if (res.status < 200 || res.status > 299) throw new WechatTransportError(`POST ${path} answered HTTP ${res.status}`, res.status);
        return this.interpret(await parseXml(res.body, { maxBytes: this.maxResponseBytes }));
      } catch (err) {
        if (attempt >= this.retries || !isRetryable(err)) {
          if (outcomeUnknown && options.refusalAfterUnknownIsUnknown && isPayRefusal(err)) {
            throw new WechatTransportError(
              `POST ${path}: an earlier attempt may have been applied (no answer, 5xx or SYSTEMERROR) and the retry was refused: ${(err as Error).message}`,
              undefined,
              { cause: err },
            );
          }
          throw err;
        }
        outcomeUnknown ||= mayHaveBeenApplied(err);
        await sleep(this.retryDelayMs * 2 ** attempt);
      }
    }
  }

  /** 协议规则: return_code first, then sign + merchant, then result_code. */
  private interpret(fields: FlatXml): FlatXml {
    if (fields.return_code !== 'SUCCESS') {
      throw new WechatPayCommunicationError(fields.return_msg || fields.retmsg || (fields.return_code ? 'FAIL' : 'response has no return_code'));
    }
    if (!verify(fields, this.options.apiKey, this.options.signType)) throw new WechatSignatureError('response sign does not verify');
    if (fields.appid !== this.options.appId || fields.mch_id !== this.options.mchId) {
      throw new WechatSignatureError('response appid/mch_id is not ours');
    }
    if (fields.result_code !== 'SUCCESS') {
      throw new WechatPayBusinessError(fields.err_code || 'UNKNOWN', fields.err_code_des || fields.result_msg || '');
    }
    return fields;
  }
}

/** refund_count entries of `out_refund_no_$n`, `refund_id_$n`, `refund_fee_$n`, `refund_status_$n` (0-based). */
export function parseRefundList(fields: FlatXml): RefundQueryItem[] {
  const count = parseNonNegativeInt(fields.refund_count);
  if (count === null) throw malformed('refund_count is not an integer');
  const refunds: RefundQueryItem[] = [];
  for (let n = 0; n < count; n++) {
    const statusField = requireResponseField(fields, `refund_status_${n}`);
    // A status added after this client was written must not make the whole answer unusable.
    const status = REFUND_STATUSES.find((s) => s === statusField);
    const refundFee = optionalAmount(fields, `refund_fee_${n}`);
    if (refundFee === undefined) throw malformed(`missing refund_fee_${n}`);
    refunds.push({
      outRefundNo: requireResponseField(fields, `out_refund_no_${n}`),
      refundId: requireResponseField(fields, `refund_id_${n}`),
      refundFee,
      ...(status === undefined ? { status: 'UNKNOWN' as const, rawStatus: statusField } : { status }),
    });
  }
  return refunds;
}
