/**
 * The pay gateway over WeChat Pay API v2: the existing PayClient and notification parsers, mapped
 * onto the version-neutral shapes of `PayGateway`.
 */
import { WechatPayResponseError } from '../../errors';
import { buildJsapiPayParams } from '../../jsapi';
import { parseBeijingTime } from '../../nonce';
import { notifyReply, parsePayNotify, parseRefundNotify } from '../../notify';
import { parseXml } from '../../xml';
import { PayClient } from './client';
import type { DownloadBillInput, DownloadBillResult, PayClientOptions, RefundQueryItem } from './types';
import type {
  GatewayNotification,
  GatewayRefund,
  GatewayRefundInput,
  GatewayRefundState,
  NotificationReply,
  NotificationRequest,
  OrderStatus,
  PagePayParams,
  PayGateway,
  Prepay,
  PrepayInput,
} from '../gateway';

const REFUND_STATES: Record<RefundQueryItem['status'], GatewayRefundState> = {
  SUCCESS: 'SUCCESS',
  PROCESSING: 'PROCESSING',
  REFUNDCLOSE: 'CLOSED',
  CHANGE: 'ABNORMAL',
  UNKNOWN: 'UNKNOWN',
};

/** `yyyy-MM-dd HH:mm:ss` Beijing time (refund notification success_time), or undefined. */
function parseBeijingDateTime(value: string | undefined): Date | undefined {
  return value === undefined ? undefined : (parseBeijingTime(value.replace(/[-: ]/g, '')) ?? undefined);
}

export class PayV2Gateway implements PayGateway {
  readonly apiVersion = 'v2' as const;
  /** The underlying v2 client, for v2-only calls. */
  readonly client: PayClient;

  constructor(private readonly options: PayClientOptions) {
    this.client = new PayClient(options);
  }

  /** H5 is v2's MWEB: `h5` must be a Wap site with appUrl (wap_url) and appName (wap_name). */
  async createPrepay(input: PrepayInput): Promise<Prepay> {
    const h5 = input.tradeType === 'H5' ? input.h5 : undefined;
    if (input.tradeType === 'H5' && (h5?.type !== 'Wap' || !h5.appUrl || !h5.appName)) {
      throw new Error('createPrepay: H5 on API v2 needs h5 { type: "Wap", appUrl, appName } (MWEB wap_url, wap_name)');
    }
    const result = await this.client.unifiedOrder({
      outTradeNo: input.outTradeNo,
      body: input.description,
      totalFee: input.totalFen,
      spbillCreateIp: input.clientIp,
      notifyUrl: input.notifyUrl,
      tradeType: input.tradeType === 'H5' ? 'MWEB' : input.tradeType,
      openid: input.openid,
      h5Info: h5 ? { type: 'Wap', wapUrl: h5.appUrl as string, wapName: h5.appName as string } : undefined,
      productId: input.tradeType === 'NATIVE' ? (input.productId ?? input.outTradeNo) : undefined,
      attach: input.attach,
      timeExpire: input.timeExpire,
    });
    if (input.tradeType === 'NATIVE') return { tradeType: 'NATIVE', codeUrl: result.codeUrl as string };
    if (input.tradeType === 'H5') return { tradeType: 'H5', h5Url: result.mwebUrl as string };
    return { tradeType: 'JSAPI', prepayId: result.prepayId };
  }

  async queryOrder(outTradeNo: string): Promise<OrderStatus> {
    const r = await this.client.orderQuery({ outTradeNo });
    return {
      tradeState: r.tradeState,
      rawState: r.raw.trade_state ?? '',
      tradeStateDesc: r.tradeStateDesc,
      outTradeNo: r.outTradeNo,
      transactionId: r.transactionId,
      totalFen: r.totalFee,
      payerTotalFen: r.cashFee,
      openid: r.openid,
      tradeType: r.raw.trade_type,
      currency: r.raw.fee_type,
      paidAt: r.timeEnd === undefined ? undefined : (parseBeijingTime(r.timeEnd) ?? undefined),
    };
  }

  async closeOrder(outTradeNo: string): Promise<void> {
    await this.client.closeOrder(outTradeNo);
  }

  /** v2 answers "accepted"; the refund settles by notification or queryRefund. */
  async refund(input: GatewayRefundInput): Promise<GatewayRefund> {
    const r = await this.client.refund({
      outTradeNo: input.outTradeNo,
      outRefundNo: input.outRefundNo,
      totalFee: input.totalFen,
      refundFee: input.refundFen,
      refundDesc: input.reason,
      notifyUrl: input.notifyUrl,
    });
    return { outRefundNo: r.outRefundNo, refundId: r.refundId, refundFen: r.refundFee, status: 'PROCESSING' };
  }

  async queryRefund(outRefundNo: string): Promise<GatewayRefund> {
    const { refunds } = await this.client.refundQuery({ outRefundNo });
    const item = refunds.find((r) => r.outRefundNo === outRefundNo);
    if (!item) {
      const message = 'malformed response: out_refund_no is not the one queried; the outcome is unknown';
      throw new WechatPayResponseError(message);
    }
    const status = REFUND_STATES[item.status];
    return {
      outRefundNo,
      refundId: item.refundId,
      refundFen: item.refundFee,
      status,
      ...(item.rawStatus !== undefined ? { rawStatus: item.rawStatus } : {}),
    };
  }

  /** `/pay/downloadbill`, gzip on the wire. */
  downloadTradeBill(input: DownloadBillInput): Promise<DownloadBillResult> {
    return this.client.downloadBill(input);
  }

  /** A body with `req_info` is a refund notification (unsigned, encrypted); any other, a payment one (signed). */
  async parseNotification(request: NotificationRequest): Promise<GatewayNotification> {
    const { appId, mchId, apiKey } = this.options;
    const outer = await parseXml(request.body);
    if (outer.req_info !== undefined) {
      const r = await parseRefundNotify(request.body, { appId, mchId, apiKey });
      return {
        kind: 'refund',
        outTradeNo: r.outTradeNo,
        transactionId: r.transactionId,
        outRefundNo: r.outRefundNo,
        refundId: r.refundId,
        totalFen: r.totalFee,
        refundFen: r.refundFee,
        status: r.refundStatus === 'UNKNOWN' ? 'UNKNOWN' : REFUND_STATES[r.refundStatus],
        ...(r.rawStatus !== undefined ? { rawStatus: r.rawStatus } : {}),
        refundedAt: parseBeijingDateTime(r.successTime),
      };
    }
    const p = await parsePayNotify(request.body, { appId, mchId, apiKey });
    return {
      kind: 'payment',
      outTradeNo: p.outTradeNo,
      transactionId: p.transactionId,
      totalFen: p.totalFee,
      payerTotalFen: p.cashFee,
      openid: p.openid,
      tradeType: p.tradeType,
      currency: p.raw.fee_type,
      paid: p.resultCode === 'SUCCESS',
      paidAt: parseBeijingTime(p.timeEnd) ?? undefined,
      attach: p.attach,
    };
  }

  /** v2 is judged by the XML, always with HTTP 200. */
  notificationReply(ok: true): NotificationReply;
  notificationReply(ok: false, reason: string): NotificationReply;
  notificationReply(ok: boolean, reason = ''): NotificationReply {
    const body = ok ? notifyReply(true) : notifyReply(false, reason);
    return { status: 200, contentType: 'text/xml; charset=utf-8', body };
  }

  close(): void {
    this.client.close();
  }

  pagePayParams(prepayId: string): PagePayParams {
    const { appId, apiKey, signType } = this.options;
    return buildJsapiPayParams({ appId, prepayId, signType, apiKey });
  }
}
