/**
 * WeChat Pay API v2 client (api.mch.weixin.qq.com): signed XML requests, verified XML responses,
 * bounded retries of identical bodies. Checks, retries, transport and answer reading each have a file here.
 */
import { endpointUrl } from '../../base-url';
import { beijingTime, randomString } from '../../nonce';
import { isSignType, sign } from '../../sign';
import { WechatTransportError } from '../../errors';
import { buildXml, parseXml, type FlatXml } from '../../xml';
import { readBillResponse } from './bill-response';
import {
  checkDownloadBillInput,
  checkOrderQueryBy,
  checkOutTradeNo,
  checkRefundInput,
  checkRefundQueryBy,
  checkUnifiedOrderInput,
  sceneInfoJson,
} from './input-checks';
import {
  checkEnvelope,
  parseRefundList,
  readOrderQueryResult,
  readRefundResult,
  readUnifiedOrderResult,
  type Merchant,
} from './response';
import { withRetries } from './retries';
import type {
  DownloadBillInput,
  DownloadBillResult,
  OrderQueryBy,
  OrderQueryResult,
  PayClientOptions,
  RefundInput,
  RefundQueryBy,
  RefundQueryResult,
  RefundResult,
  UnifiedOrderInput,
  UnifiedOrderResult,
} from './types';
import { AgentPool } from './agents';
import { postXml, type ClientTls } from './xml-transport';

type Params = Record<string, string | number | undefined>;

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024;
/** A day's bill runs to megabytes for a busy merchant (about 300 bytes a trade). */
const DEFAULT_MAX_BILL_BYTES = 64 * 1024 * 1024;

/**
 * /secapi/* knows the merchant by its client certificate: never send without one, nor over plain HTTP,
 * which cannot carry it.
 */
type ClientCert = Required<Pick<ClientTls, 'cert' | 'key'>>;

function secapiClientCert(path: string, url: URL, tls: ClientTls | undefined): ClientCert {
  if (!tls?.cert || !tls.key) throw new Error(`${path} needs the merchant client certificate (tls.cert and tls.key)`);
  if (url.protocol !== 'https:') {
    throw new Error(`${path} needs an https secapiBaseUrl: the client certificate is only presented over TLS`);
  }
  return { cert: tls.cert, key: tls.key };
}

interface CallOptions {
  /** Sent to secapiBaseUrl, presenting the merchant client certificate. */
  secapi?: boolean;
  /** See RetryPolicy: for calls that move money. */
  refusalAfterUnknownIsUnknown?: boolean;
  maxResponseBytes?: number;
}

export class PayClient {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly retryDelayMs: number;
  private readonly maxResponseBytes: number;
  private readonly merchant: Merchant;
  private readonly agents = new AgentPool();

  constructor(private readonly options: PayClientOptions) {
    if (!isSignType(options.signType)) throw new Error('signType must be MD5 or HMAC-SHA256');
    if (!options.appId || !options.mchId || !options.apiKey) throw new Error('PayClient needs appId, mchId and apiKey');
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.retries = Math.max(0, Math.min(options.retries ?? 2, 5));
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    const { appId, mchId, apiKey, signType } = options;
    this.merchant = { appId, mchId, apiKey, signType };
  }

  /** Closes the pooled keep-alive connections; the client may still be used (it reconnects). */
  close(): void {
    this.agents.destroy();
  }

  async unifiedOrder(input: UnifiedOrderInput): Promise<UnifiedOrderResult> {
    checkUnifiedOrderInput(input);
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
      scene_info: input.tradeType === 'MWEB' && input.h5Info ? sceneInfoJson(input.h5Info) : undefined,
    });
    return readUnifiedOrderResult(fields, input);
  }

  async orderQuery(by: OrderQueryBy): Promise<OrderQueryResult> {
    checkOrderQueryBy(by);
    const fields = await this.call(
      '/pay/orderquery',
      'transactionId' in by ? { transaction_id: by.transactionId } : { out_trade_no: by.outTradeNo },
    );
    return readOrderQueryResult(fields, by);
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
    checkRefundInput(input);
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
    return readRefundResult(fields, input);
  }

  async refundQuery(by: RefundQueryBy): Promise<RefundQueryResult> {
    checkRefundQueryBy(by);
    const fields = await this.call(
      '/pay/refundquery',
      'outRefundNo' in by ? { out_refund_no: by.outRefundNo } : { out_trade_no: by.outTradeNo },
    );
    return { refunds: parseRefundList(fields), raw: fields };
  }

  /**
   * One day's trade bill (对账单), gzip on the wire (`tar_type=GZIP`), returned as text for `parseTradeBill`.
   * `No Bill Exist` (a day without trades) → `{ exists: false }`; any other FAIL → WechatBillDownloadError
   * (`retryLater` while the bill is still being made). Bills for a day exist from about 09:00 the next day.
   */
  async downloadBill(input: DownloadBillInput): Promise<DownloadBillResult> {
    checkDownloadBillInput(input);
    const maxBytes = this.options.maxBillBytes ?? DEFAULT_MAX_BILL_BYTES;
    const params = { bill_date: input.billDate, bill_type: input.billType ?? 'ALL', tar_type: 'GZIP' };
    return this.send('/pay/downloadbill', params, { maxResponseBytes: maxBytes }, (body) =>
      readBillResponse(body, maxBytes),
    );
  }

  /**
   * Signs, sends and verifies one API call, retrying identical bodies on transient failures.
   * Returns the verified fields of a SUCCESS/SUCCESS response.
   */
  private call(path: string, params: Params, options: CallOptions = {}): Promise<FlatXml> {
    const maxBytes = this.maxResponseBytes;
    // An answer we cannot read is WeChat's failure, and may hide a request it carried out.
    return this.send(path, params, options, async (body) =>
      checkEnvelope(await parseXml(body, { maxBytes, source: 'upstream' }), this.merchant),
    );
  }

  /** Signs and sends one request, retrying identical bodies; `read` turns a 2xx body into the result. */
  private async send<T>(
    path: string,
    params: Params,
    options: CallOptions,
    read: (body: Buffer) => Promise<T>,
  ): Promise<T> {
    const { appId, mchId, apiKey, signType, tls } = this.options;
    const base = options.secapi ? (this.options.secapiBaseUrl ?? this.options.payBaseUrl) : this.options.payBaseUrl;
    const url = new URL(endpointUrl(base, path));
    const clientCert = options.secapi ? secapiClientCert(path, url, tls) : undefined;
    const signed: Params = { appid: appId, mch_id: mchId, nonce_str: randomString(32), sign_type: signType, ...params };
    signed.sign = sign(signed, apiKey, signType);
    // Built once: a retry must resend byte-for-byte the same request.
    const body = buildXml(signed);
    const maxBytes = options.maxResponseBytes ?? this.maxResponseBytes;
    const policy = {
      retries: this.retries,
      retryDelayMs: this.retryDelayMs,
      refusalAfterUnknownIsUnknown: options.refusalAfterUnknownIsUnknown,
    };

    return withRetries(`POST ${path}`, policy, async () => {
      const agent = this.agents.for(url, { ca: tls?.ca, clientCert });
      const res = await postXml(url, body, { timeoutMs: this.timeoutMs, maxBytes, ca: tls?.ca, clientCert, agent });
      if (res.status < 200 || res.status > 299) {
        throw new WechatTransportError(`POST ${path} answered HTTP ${res.status}`, res.status);
      }
      return read(res.body);
    });
  }
}
