/**
 * The pay gateway over WeChat Pay API v3 (`/v3/pay/transactions/*`, `/v3/refund/domestic/refunds`),
 * verifying answers and notifications with a WeChat Pay public key, platform certificates, or both.
 */
import type { KeyObject } from 'node:crypto';
import { WechatPayResponseError } from '../../errors';
import {
  GATEWAY_TRADE_STATES,
  type GatewayRefund,
  type GatewayRefundInput,
  type GatewayRefundState,
  type NotificationReply,
  type NotificationRequest,
  type OrderStatus,
  type PagePayParams,
  type PayGateway,
  type Prepay,
  type PrepayInput,
} from '../gateway';
import { apiV3KeyBytes } from './aead';
import { V3ApiClient } from './api-client';
import { CertificateCache } from './certificate-cache';
import { checkFen, checkNotifyUrl, checkOutRefundNo, checkOutTradeNo, rfc3339Beijing } from './inputs';
import { buildJsapiRsaPayParams } from './jsapi';
import { intField, objectField, stringField, timeField, type JsonObject } from './json';
import { WechatpayKeyRing } from './keyring';
import { notifyReplyV3, parseNotifyV3, type NotifyV3 } from './notify';
import { loadPrivateKey, type PrivateKeyInput, type PublicKeyInput } from './rsa';
import { WechatV3SignatureError, WechatPayV3ApiError } from './errors';
import { V3_BILL_TYPES, readTradeBillApply, readTradeBillFile, v3BillDate } from './trade-bill';
import { checkDownloadBillInput } from '../v2/input-checks';
import type { DownloadBillInput, DownloadBillResult } from '../v2/types';

export interface PayV3Options {
  appId: string;
  mchId: string;
  /** Merchant API certificate serial (40 hex) and its private key (PEM, parsed once). */
  merchantSerialNo: string;
  merchantPrivateKey: PrivateKeyInput;
  /** 32 bytes, set in the merchant console (not the v2 API key). */
  apiV3Key: string;
  /** Public-key mode (merchants onboarded since late 2024): the key and its `PUB_KEY_ID_…`. */
  wechatpayPublicKey?: { id: string; key: PublicKeyInput };
  /** Platform-certificate mode: download /v3/certificates (`initial` PEMs are trusted until then). */
  platformCertificates?: boolean | { initial?: string[]; refreshMs?: number; minRefreshIntervalMs?: number };
  baseUrl: string;
  ca?: string | Buffer;
  timeoutMs?: number;
  retries?: number;
  retryDelayMs?: number;
  maxResponseBytes?: number;
  maxNotifyBytes?: number;
  /** Size cap of a bill file, compressed and uncompressed (64 MiB by default). */
  maxBillBytes?: number;
  /** Ask for bills with tar_type=GZIP (default true); false downloads them uncompressed. */
  gzipBills?: boolean;
}

const DEFAULT_MAX_BILL_BYTES = 64 * 1024 * 1024;

const REFUND_STATES: Record<string, GatewayRefundState> = {
  SUCCESS: 'SUCCESS',
  PROCESSING: 'PROCESSING',
  CLOSED: 'CLOSED',
  ABNORMAL: 'ABNORMAL',
};

/** For a verified 2xx answer only: WeChat accepted the request, so this is never a refusal. */
function malformed(what: string): WechatPayResponseError {
  return new WechatPayResponseError(`malformed response: ${what}; WeChat answered 2xx, the outcome is unknown`);
}

function required(json: JsonObject | undefined, name: string): string {
  const value = stringField(json, name);
  if (value === undefined) throw malformed(`missing ${name}`);
  return value;
}

export class PayV3Gateway implements PayGateway {
  readonly apiVersion = 'v3' as const;
  readonly keys = new WechatpayKeyRing();
  private readonly api: V3ApiClient;
  private readonly certificates: CertificateCache | undefined;
  private readonly privateKey: KeyObject;
  private readonly apiV3Key: string;

  /** Throws (a plain Error naming the setting, never its value) on missing or malformed credentials. */
  constructor(private readonly options: PayV3Options) {
    if (!options.appId || !options.mchId) throw new Error('PayV3Gateway: appId and mchId are required');
    if (!/^[0-9A-Fa-f]{8,40}$/.test(options.merchantSerialNo ?? '')) {
      throw new Error('PayV3Gateway: merchantSerialNo must be the merchant certificate serial (hex)');
    }
    apiV3KeyBytes(options.apiV3Key ?? '');
    this.apiV3Key = options.apiV3Key;
    this.privateKey = loadPrivateKey(options.merchantPrivateKey);
    const publicKey = options.wechatpayPublicKey;
    if (publicKey) this.keys.addPublicKey(publicKey.id, publicKey.key);
    const certMode = options.platformCertificates;
    if (!options.wechatpayPublicKey && !certMode) {
      throw new Error('PayV3Gateway: configure wechatpayPublicKey, platformCertificates, or both');
    }
    const certOptions = typeof certMode === 'object' ? certMode : {};
    for (const pem of certOptions.initial ?? []) this.keys.addCertificate(pem);
    this.certificates = certMode
      ? new CertificateCache(this.keys, () => this.api.downloadCertificates(), {
          refreshMs: certOptions.refreshMs,
          minIntervalMs: certOptions.minRefreshIntervalMs,
        })
      : undefined;
    this.api = new V3ApiClient({
      mchId: options.mchId,
      merchantSerialNo: options.merchantSerialNo.toUpperCase(),
      merchantPrivateKey: this.privateKey,
      apiV3Key: options.apiV3Key,
      baseUrl: options.baseUrl,
      keys: this.keys,
      certificates: this.certificates,
      timeoutMs: options.timeoutMs,
      retries: options.retries,
      retryDelayMs: options.retryDelayMs,
      maxResponseBytes: options.maxResponseBytes,
      ca: options.ca,
    });
  }

  async createPrepay(input: PrepayInput): Promise<Prepay> {
    const method = 'createPrepay';
    checkOutTradeNo(method, input.outTradeNo);
    checkFen(method, 'totalFen', input.totalFen);
    checkNotifyUrl(method, input.notifyUrl);
    if (!input.description) throw new Error(`${method}: description is required`);
    if (!input.clientIp) throw new Error(`${method}: clientIp is required`);
    const body: Record<string, unknown> = {
      appid: this.options.appId,
      mchid: this.options.mchId,
      description: input.description,
      out_trade_no: input.outTradeNo,
      time_expire: input.timeExpire ? rfc3339Beijing(input.timeExpire) : undefined,
      attach: input.attach,
      notify_url: input.notifyUrl,
      amount: { total: input.totalFen, currency: 'CNY' },
      scene_info: { payer_client_ip: input.clientIp },
    };
    switch (input.tradeType) {
      case 'JSAPI': {
        if (!input.openid) throw new Error(`${method}: JSAPI requires openid`);
        body.payer = { openid: input.openid };
        const json = await this.api.call('POST', '/v3/pay/transactions/jsapi', body);
        return { tradeType: 'JSAPI', prepayId: required(json, 'prepay_id') };
      }
      case 'NATIVE': {
        const json = await this.api.call('POST', '/v3/pay/transactions/native', body);
        return { tradeType: 'NATIVE', codeUrl: required(json, 'code_url') };
      }
      case 'H5': {
        const h5 = input.h5 ?? { type: 'Wap' as const };
        body.scene_info = {
          payer_client_ip: input.clientIp,
          h5_info: { type: h5.type, app_name: h5.appName, app_url: h5.appUrl },
        };
        const json = await this.api.call('POST', '/v3/pay/transactions/h5', body);
        return { tradeType: 'H5', h5Url: required(json, 'h5_url') };
      }
      default:
        throw new Error(`${method}: tradeType must be JSAPI, NATIVE or H5`);
    }
  }

  async queryOrder(outTradeNo: string): Promise<OrderStatus> {
    checkOutTradeNo('queryOrder', outTradeNo);
    const mchid = encodeURIComponent(this.options.mchId);
    const path = `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}?mchid=${mchid}`;
    const json = await this.api.call('GET', path);
    // A signed answer about another order must not settle this one.
    if (required(json, 'out_trade_no') !== outTradeNo) throw malformed('out_trade_no is not the one queried');
    const answeredMchid = stringField(json, 'mchid');
    if (answeredMchid !== undefined && answeredMchid !== this.options.mchId) throw malformed('mchid is not ours');
    const rawState = required(json, 'trade_state');
    const amount = objectField(json, 'amount');
    return {
      tradeState: GATEWAY_TRADE_STATES.find((s) => s === rawState) ?? 'UNKNOWN',
      rawState,
      tradeStateDesc: stringField(json, 'trade_state_desc') ?? '',
      outTradeNo,
      transactionId: stringField(json, 'transaction_id'),
      totalFen: intField(amount, 'total'),
      payerTotalFen: intField(amount, 'payer_total'),
      openid: stringField(objectField(json, 'payer'), 'openid'),
      tradeType: stringField(json, 'trade_type'),
      currency: stringField(amount, 'currency'),
      paidAt: timeField(json, 'success_time'),
    };
  }

  async closeOrder(outTradeNo: string): Promise<void> {
    checkOutTradeNo('closeOrder', outTradeNo);
    await this.api.call('POST', `/v3/pay/transactions/out-trade-no/${encodeURIComponent(outTradeNo)}/close`, {
      mchid: this.options.mchId,
    });
  }

  /** Retrying is safe: out_refund_no is the idempotency key. */
  async refund(input: GatewayRefundInput): Promise<GatewayRefund> {
    const method = 'refund';
    checkOutTradeNo(method, input.outTradeNo);
    checkOutRefundNo(method, input.outRefundNo);
    checkFen(method, 'totalFen', input.totalFen);
    checkFen(method, 'refundFen', input.refundFen);
    if (input.refundFen > input.totalFen) throw new Error('refund: refundFen exceeds totalFen');
    if (input.notifyUrl !== undefined) checkNotifyUrl(method, input.notifyUrl);
    const json = await this.api.call(
      'POST',
      '/v3/refund/domestic/refunds',
      {
        out_trade_no: input.outTradeNo,
        out_refund_no: input.outRefundNo,
        reason: input.reason,
        notify_url: input.notifyUrl,
        amount: { refund: input.refundFen, total: input.totalFen, currency: 'CNY' },
      },
      { refusalAfterUnknownIsUnknown: true },
    );
    return this.refundOf(json, input.outRefundNo);
  }

  async queryRefund(outRefundNo: string): Promise<GatewayRefund> {
    checkOutRefundNo('queryRefund', outRefundNo);
    const json = await this.api.call('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(outRefundNo)}`);
    return this.refundOf(json, outRefundNo);
  }

  /**
   * Applies for the day's bill (a signed answer naming a download URL and the file's SHA1), downloads it
   * with a signed GET, and returns its text once the digest matches (else WechatBillHashError, retry later).
   * `NO_STATEMENT_EXIST` (no trade that day) → `{ exists: false }`; STATEMENT_CREATING → WechatPayV3ApiError.
   */
  async downloadTradeBill(input: DownloadBillInput): Promise<DownloadBillResult> {
    checkDownloadBillInput(input);
    const billType = input.billType ?? 'ALL';
    if (!V3_BILL_TYPES.some((t) => t === billType)) {
      throw new Error(`downloadTradeBill: billType must be one of ${V3_BILL_TYPES.join(', ')} on API v3`);
    }
    const gzip = this.options.gzipBills ?? true;
    const query = new URLSearchParams({ bill_date: v3BillDate(input.billDate), bill_type: billType });
    if (gzip) query.set('tar_type', 'GZIP');
    let json: JsonObject | undefined;
    try {
      json = await this.api.call('GET', `/v3/bill/tradebill?${query.toString()}`);
    } catch (err) {
      // 协议: 400 NO_STATEMENT_EXIST 账单文件不存在, a day without trades; some answers use 404.
      if (err instanceof WechatPayV3ApiError && err.codeKey === 'NOSTATEMENTEXIST') return { exists: false };
      throw err;
    }
    const apply = readTradeBillApply(json);
    const maxBytes = this.options.maxBillBytes ?? DEFAULT_MAX_BILL_BYTES;
    const body = await this.api.download(apply.downloadUrl, maxBytes);
    return { exists: true, text: await readTradeBillFile(body, apply, { gzip, maxBytes }) };
  }

  /**
   * Verifies (one certificate refresh on an unknown serial) and decodes. Throws WechatJsonError,
   * WechatV3SignatureError or WechatNotifyError: reply with `notificationReply(false, …)`, change nothing.
   */
  async parseNotification(request: NotificationRequest): Promise<NotifyV3> {
    const body = typeof request.body === 'string' ? Buffer.from(request.body, 'utf8') : request.body;
    const options = {
      appId: this.options.appId,
      mchId: this.options.mchId,
      apiV3Key: this.apiV3Key,
      keys: this.keys,
      maxBytes: this.options.maxNotifyBytes,
    };
    try {
      return parseNotifyV3(request.headers, body, options);
    } catch (err) {
      const unknown = err instanceof WechatV3SignatureError && err.reason === 'UNKNOWN_SERIAL';
      // The refresh is rate-limited (made-up serials cannot flood /v3/certificates); the parse reruns in full.
      if (!unknown || !this.certificates) throw err;
      if (!(await this.certificates.refreshForUnknownSerial())) throw err;
      return parseNotifyV3(request.headers, body, options);
    }
  }

  notificationReply(ok: true): NotificationReply;
  notificationReply(ok: false, reason: string): NotificationReply;
  notificationReply(ok: boolean, reason = ''): NotificationReply {
    return ok ? notifyReplyV3(true) : notifyReplyV3(false, reason);
  }

  pagePayParams(prepayId: string): PagePayParams {
    return buildJsapiRsaPayParams({ appId: this.options.appId, prepayId, privateKey: this.privateKey });
  }

  /** Downloads /v3/certificates now (platform-certificate mode); e.g. at start-up, to fail early. */
  async refreshCertificates(): Promise<void> {
    if (!this.certificates) throw new Error('refreshCertificates: platform-certificate mode is not configured');
    this.keys.replaceCertificates(await this.api.downloadCertificates());
  }

  private refundOf(json: JsonObject | undefined, outRefundNo: string): GatewayRefund {
    if (required(json, 'out_refund_no') !== outRefundNo) throw malformed('out_refund_no is not the one requested');
    const rawStatus = required(json, 'status');
    const refundFen = intField(objectField(json, 'amount'), 'refund');
    if (refundFen === undefined) throw malformed('amount.refund is not an integer');
    const status = REFUND_STATES[rawStatus];
    return {
      outRefundNo,
      refundId: required(json, 'refund_id'),
      refundFen,
      ...(status ? { status } : { status: 'UNKNOWN' as const, rawStatus }),
    };
  }
}
