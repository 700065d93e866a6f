/**
 * A strict in-test fake of WeChat Pay API v3: checks every request's Authorization (merchant key,
 * serial, mchid, ±5 min), the JSON fields each endpoint requires, and signs every answer. Faults
 * are queued per test (`nextFaults`) and consumed one per request.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  encryptCertificateEntry,
  loadPublicKey,
  parseAuthorization,
  signWechatpayHeaders,
  verifyAuthorization,
  wechatpayHeaderFields,
  type PayV3Options,
} from '../../src/index';
import { startServer, type TestServer } from './http-server';
import { MERCHANT_PRIVATE_KEY, MERCHANT_PUBLIC_KEY, PLATFORM_PUBLIC_KEY } from './v3-keys';

export const APP_ID = 'wxd678efh567hg6787';
export const MCH_ID = '1230000109';
export const MERCHANT_SERIAL = '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C';
export const API_V3_KEY = 'vYx7Kq2Lm9Tn4Rb8Zc6Wd1Fh3Jp5Gs0A';

export type Fault =
  | { status: number; code: string; message?: string }
  | 'drop'
  | 'bad-signature'
  | 'probe'
  | 'stale'
  | { serial: string; key?: KeyObject }
  | { body: string }
  | { json: object };

export interface Signer {
  key: KeyObject;
  serial: string;
}

interface Order {
  fields: Record<string, unknown>;
  tradeType: string;
  tradeState: string;
}

export interface FakeV3 extends TestServer {
  signer: Signer;
  /** Certificates served by /v3/certificates (PEMs). */
  certificates: string[];
  nextFaults: Fault[];
  seen: { method: string; url: string; body: string; headers: IncomingMessage['headers'] }[];
  orders: Map<string, Order>;
  /** The bill /v3/bill/tradebill offers (none: NO_STATEMENT_EXIST); `hash` overrides the announced SHA1. */
  bill?: { text: string; hash?: string };
  hits(path: string): number;
}

const merchantPublic = loadPublicKey(MERCHANT_PUBLIC_KEY);

function requiredPath(body: Record<string, unknown>, path: string): boolean {
  let value: unknown = body;
  for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return value !== undefined && value !== '';
}

export async function startFakeV3(signer: Signer, certificates: string[] = []): Promise<FakeV3> {
  const state = {
    signer,
    certificates,
    nextFaults: [] as Fault[],
    seen: [] as FakeV3['seen'],
    orders: new Map<string, Order>(),
    refunds: new Map<string, Record<string, unknown>>(),
  };

  const handler = (req: IncomingMessage, res: ServerResponse, raw: string): void => {
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    state.seen.push({ method, url, body: raw, headers: req.headers });
    const fault = state.nextFaults.shift();

    const send = (status: number, payload?: object | string): void => {
      if (fault === 'drop') {
        req.socket.destroy();
        return;
      }
      let body = payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
      if (fault && typeof fault === 'object' && 'body' in fault) body = fault.body;
      if (fault && typeof fault === 'object' && 'json' in fault) body = JSON.stringify(fault.json);
      const reSerialed = fault && typeof fault === 'object' && 'serial' in fault;
      const use = reSerialed ? { key: fault.key ?? state.signer.key, serial: fault.serial } : state.signer;
      const timestamp = fault === 'stale' ? String(Math.floor(Date.now() / 1000) - 3600) : undefined;
      const h = signWechatpayHeaders(body, use.key, use.serial, { timestamp });
      if (fault === 'bad-signature') h.signature = signWechatpayHeaders(`${body} `, use.key, use.serial).signature;
      if (fault === 'probe') h.signature = `WECHATPAY/SIGNTEST/${h.signature}`;
      const type = body ? { 'Content-Type': 'application/json' } : {};
      res.writeHead(status, { ...wechatpayHeaderFields(h), 'Request-ID': 'test-request', ...type });
      res.end(body);
    };
    const error = (status: number, code: string, message: string, detail?: object) => {
      send(status, { code, message, detail });
    };

    // Authorization first: WeChat answers 401 SIGN_ERROR before looking at anything else.
    const auth = parseAuthorization(req.headers.authorization);
    const skew = auth ? Math.abs(Date.now() / 1000 - Number(auth.timestamp)) : Infinity;
    if (
      !auth ||
      auth.mchid !== MCH_ID ||
      auth.serial_no !== MERCHANT_SERIAL ||
      !(skew <= 300) ||
      !verifyAuthorization(auth, { method, url, body: raw }, merchantPublic)
    ) {
      return error(401, 'SIGN_ERROR', '错误的签名，验签失败');
    }
    if (req.headers.accept !== 'application/json') return error(400, 'PARAM_ERROR', 'Accept must be application/json');
    if (method === 'POST' && req.headers['content-type'] !== 'application/json') {
      return error(400, 'PARAM_ERROR', 'Content-Type');
    }
    if (fault && typeof fault === 'object' && 'status' in fault) {
      return error(fault.status, fault.code, fault.message ?? '');
    }

    const path = url.split('?')[0] ?? '';
    let body: Record<string, unknown> = {};
    if (method === 'POST') {
      try {
        body = JSON.parse(raw) as Record<string, unknown>;
      } catch {
        return error(400, 'PARAM_ERROR', '请求体不是JSON');
      }
    }

    const prepay = /^\/v3\/pay\/transactions\/(jsapi|native|h5)$/.exec(path);
    if (method === 'POST' && prepay) {
      const kind = prepay[1] as string;
      const need = ['appid', 'mchid', 'description', 'out_trade_no', 'notify_url', 'amount.total', 'amount.currency'];
      if (kind === 'jsapi') need.push('payer.openid');
      if (kind === 'h5') need.push('scene_info.payer_client_ip', 'scene_info.h5_info.type');
      const missing = need.find((f) => !requiredPath(body, f));
      if (missing) return error(400, 'PARAM_ERROR', `缺少参数 ${missing}`, { field: missing });
      if (body.mchid !== MCH_ID || body.appid !== APP_ID) {
        return error(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
      }
      const total = (body.amount as { total: unknown }).total;
      if (!Number.isSafeInteger(total)) return error(400, 'PARAM_ERROR', 'amount.total');
      const outTradeNo = body.out_trade_no as string;
      const existing = state.orders.get(outTradeNo);
      if (existing && JSON.stringify(existing.fields) !== JSON.stringify(body)) {
        return error(400, 'INVALID_REQUEST', '201 商户订单号重复');
      }
      state.orders.set(outTradeNo, existing ?? { fields: body, tradeType: kind.toUpperCase(), tradeState: 'NOTPAY' });
      if (kind === 'jsapi') return send(200, { prepay_id: `wx${outTradeNo}` });
      if (kind === 'native') return send(200, { code_url: 'weixin://wxpay/bizpayurl?pr=p4lpSuK' });
      return send(200, { h5_url: `https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx${outTradeNo}` });
    }

    const query = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)$/.exec(path);
    if (method === 'GET' && query) {
      if (!url.includes(`mchid=${MCH_ID}`)) return error(400, 'PARAM_ERROR', '缺少参数 mchid');
      const outTradeNo = decodeURIComponent(query[1] as string);
      const order = state.orders.get(outTradeNo);
      if (!order) return error(404, 'ORDER_NOT_EXIST', '订单不存在');
      const total = (order.fields.amount as { total: number }).total;
      return send(200, {
        appid: APP_ID,
        mchid: MCH_ID,
        out_trade_no: outTradeNo,
        trade_type: order.tradeType,
        trade_state: order.tradeState,
        trade_state_desc: order.tradeState,
        ...(order.tradeState === 'SUCCESS'
          ? {
              transaction_id: '4200000000202601010000000001',
              success_time: '2026-01-01T10:00:00+08:00',
              payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
              amount: { total, payer_total: total, currency: 'CNY', payer_currency: 'CNY' },
            }
          : { amount: { total, currency: 'CNY' } }),
      });
    }

    const close = /^\/v3\/pay\/transactions\/out-trade-no\/([^/]+)\/close$/.exec(path);
    if (method === 'POST' && close) {
      if (body.mchid !== MCH_ID) return error(400, 'PARAM_ERROR', '缺少参数 mchid');
      const order = state.orders.get(decodeURIComponent(close[1] as string));
      if (!order) return error(404, 'ORDER_NOT_EXIST', '订单不存在');
      if (order.tradeState === 'SUCCESS') return error(400, 'ORDERPAID', '订单已支付');
      order.tradeState = 'CLOSED';
      return send(204);
    }

    if (method === 'POST' && path === '/v3/refund/domestic/refunds') {
      const missing = ['out_trade_no', 'out_refund_no', 'amount.refund', 'amount.total', 'amount.currency'].find(
        (f) => !requiredPath(body, f),
      );
      if (missing) return error(400, 'PARAM_ERROR', `缺少参数 ${missing}`, { field: missing });
      const order = state.orders.get(body.out_trade_no as string);
      if (!order || order.tradeState === 'NOTPAY') return error(404, 'RESOURCE_NOT_EXISTS', '订单不存在');
      const amount = body.amount as { refund: number; total: number };
      const refund = {
        refund_id: '50000000382019052709732678859',
        out_refund_no: body.out_refund_no,
        transaction_id: '4200000000202601010000000001',
        out_trade_no: body.out_trade_no,
        channel: 'ORIGINAL',
        create_time: '2026-01-01T10:00:00+08:00',
        status: 'PROCESSING',
        amount: {
          total: amount.total,
          refund: amount.refund,
          payer_total: amount.total,
          payer_refund: amount.refund,
          currency: 'CNY',
        },
      };
      state.refunds.set(body.out_refund_no as string, refund);
      return send(200, refund);
    }

    const refundQuery = /^\/v3\/refund\/domestic\/refunds\/([^/]+)$/.exec(path);
    if (method === 'GET' && refundQuery) {
      const refund = state.refunds.get(decodeURIComponent(refundQuery[1] as string));
      if (!refund) return error(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
      return send(200, { ...refund, status: 'SUCCESS', success_time: '2026-01-01T10:01:00+08:00' });
    }

    if (method === 'GET' && path === '/v3/bill/tradebill') {
      const bill = (state as { bill?: FakeV3['bill'] }).bill;
      if (!bill) return error(400, 'NO_STATEMENT_EXIST', '账单文件不存在');
      const query = new URL(url, 'http://fake.invalid').searchParams;
      const hash = bill.hash ?? createHash('sha1').update(bill.text, 'utf8').digest('hex');
      const gzip = query.get('tar_type') === 'GZIP' ? '1' : '0';
      const downloadUrl = `${(state as unknown as FakeV3).url}/v3/billdownload/file?token=t${gzip}`;
      return send(200, { hash_type: 'SHA1', hash_value: hash, download_url: downloadUrl });
    }
    if (method === 'GET' && path === '/v3/billdownload/file') {
      const text = Buffer.from((state as { bill?: FakeV3['bill'] }).bill?.text ?? '', 'utf8');
      // The file is not signed: only its digest in the signed apply answer vouches for it.
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(url.endsWith('token=t1') ? gzipSync(text) : text);
      return;
    }

    if (method === 'GET' && path === '/v3/certificates') {
      const nonce = (i: number) => `nonce${String(i).padStart(7, '0')}`;
      const data = state.certificates.map((pem, i) => encryptCertificateEntry(pem, API_V3_KEY, nonce(i)));
      return send(200, { data });
    }
    return error(404, 'NOT_FOUND', 'no such endpoint');
  };

  const server = await startServer(handler);
  const fake = state as unknown as FakeV3;
  Object.assign(fake, {
    url: server.url,
    close: server.close,
    hits: (p: string) => state.seen.filter((s) => s.url.split('?')[0] === p).length,
  });
  return fake;
}

/** A PayV3Gateway talking to `fake` as its merchant, trusting the public key `publicKeyId`, unless `extra` says otherwise. */
export function fakeGatewayOptions(fake: FakeV3, publicKeyId: string, extra: Partial<PayV3Options> = {}): PayV3Options {
  return {
    appId: APP_ID,
    mchId: MCH_ID,
    merchantSerialNo: MERCHANT_SERIAL,
    merchantPrivateKey: MERCHANT_PRIVATE_KEY,
    apiV3Key: API_V3_KEY,
    baseUrl: fake.url,
    retryDelayMs: 1,
    wechatpayPublicKey: { id: publicKeyId, key: PLATFORM_PUBLIC_KEY },
    ...extra,
  };
}
