/** PayClient against an in-test fake of api.mch.weixin.qq.com (HTTP, and HTTPS with mutual TLS for /secapi). */
import { EventEmitter, once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  PayClient,
  WechatError,
  WechatPayBusinessError,
  WechatPayCommunicationError,
  WechatPayResponseError,
  WechatSignatureError,
  WechatTransportError,
  WechatXmlError,
  buildXml,
  isPayRefusal,
  parseXml,
  sign,
  verify,
  type PayClientOptions,
  type SignType,
} from '../src/index';
import { createTestPki, type TestPki } from './helpers/certs';
import { startServer, type TestServer } from './helpers/http-server';

const APP_ID = 'wx2421b1c4370ec43b';
const MCH_ID = '10000100';
const KEY = '192006250b4c09247ec02edce69f6a2d';

interface Seen {
  path: string;
  body: string;
  fields: Record<string, string>;
  clientCertCN?: string;
}

/** The fake's progress, so tests wait for a request to arrive instead of guessing how long it takes. */
const fakeEvents = new EventEmitter();

/** Resolves once the fake has received `count` requests about `id`. */
async function arrival(seen: Seen[], id: string, count: number): Promise<void> {
  const about = (s: Seen) => s.fields.out_trade_no === id || s.fields.out_refund_no === id;
  while (seen.filter(about).length < count) await once(fakeEvents, 'request');
}

/**
 * Fires the client's due timers on the fake clock (the deadline, the backoff), then lets the promise
 * chains they start run. Only setTimeout is faked: sockets and setImmediate keep real time.
 */
async function advanceClock(ms: number): Promise<void> {
  vi.advanceTimersByTime(ms);
  await new Promise((resolve) => setImmediate(resolve));
}

async function withFakeClock(run: () => Promise<void>): Promise<void> {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  try {
    await run();
  } finally {
    vi.useRealTimers();
  }
}

/** Behaviour of the fake, chosen by out_trade_no / out_refund_no. */
function fakeWechatPay(seen: Seen[]) {
  const attempts = new Map<string, number>();
  return async (req: IncomingMessage, res: ServerResponse, body: string): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const socket = req.socket as Partial<TLSSocket>;
    const peer = socket.getPeerCertificate?.();
    const clientCertCN = socket.authorized && peer?.subject ? String(peer.subject.CN) : undefined;
    const send = (xml: string, status = 200) => {
      res.statusCode = status;
      res.setHeader('Content-Type', 'text/plain');
      res.end(xml);
    };
    const fail = (msg: string) => send(buildXml({ return_code: 'FAIL', return_msg: msg }));

    let fields: Record<string, string>;
    try {
      fields = await parseXml(body);
    } catch {
      return fail('XML_FORMAT_ERROR');
    }
    seen.push({ path, body, fields, clientCertCN });
    fakeEvents.emit('request');
    const signType = (fields.sign_type ?? 'MD5') as SignType;
    if (signType !== 'MD5' && signType !== 'HMAC-SHA256') return fail('签名类型不支持');
    if (!verify(fields, KEY, signType)) return fail('签名错误');
    if (fields.appid !== APP_ID || fields.mch_id !== MCH_ID) return fail('mch_id参数格式错误');

    const id = fields.out_refund_no ?? fields.out_trade_no ?? fields.transaction_id ?? '';
    const attempt = (attempts.get(`${path}:${id}`) ?? 0) + 1;
    attempts.set(`${path}:${id}`, attempt);

    const reply = (extra: Record<string, string>, opts: { key?: string; appid?: string } = {}) => {
      const out: Record<string, string> = {
        return_code: 'SUCCESS',
        return_msg: 'OK',
        appid: opts.appid ?? APP_ID,
        mch_id: MCH_ID,
        nonce_str: `srv${attempt}`,
        result_code: 'SUCCESS',
        ...extra,
      };
      send(buildXml({ ...out, sign: sign(out, opts.key ?? KEY, signType) }));
    };
    const bizFail = (code: string, des: string) => reply({ result_code: 'FAIL', err_code: code, err_code_des: des });

    switch (id) {
      case 'SLOW':
        return; // never answers
      case 'STALL':
        // Headers and half a body, then silence: the deadline must cover the download too.
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.write('<xml><return_code>', () => fakeEvents.emit('stalled'));
        return;
      case 'RFAIL':
        return fail('appid and openid not match');
      case 'BADSIGN':
        return reply({ prepay_id: 'wx1', trade_type: 'JSAPI' }, { key: 'ffffffffffffffffffffffffffffffff' });
      case 'OTHERAPP':
        return reply({ prepay_id: 'wx1', trade_type: 'JSAPI' }, { appid: 'wx0000000000000000' });
      case 'PAID':
        return bizFail('ORDERPAID', '该订单已支付');
      case 'ALWAYSBUSY':
        return bizFail('SYSTEMERROR', '系统错误');
      case 'FLAKY':
        if (attempt === 1) return bizFail('SYSTEMERROR', '系统错误');
        break;
      case 'E500':
        if (attempt === 1) return send('upstream error', 500);
        break;
      // An attempt that may have been applied (its answer is lost: the connection drops), then a refusal of the retry.
      case 'LOSTTHENLIMITED':
        if (attempt === 1) return void req.socket.destroy();
        return bizFail('FREQUENCY_LIMITED', '频率限制');
      case 'LOSTTHENPAID':
        if (attempt === 1) return void req.socket.destroy();
        return bizFail('ORDERPAID', '该订单已支付');
      case 'E500THENRFAIL':
        if (attempt === 1) return send('upstream error', 500);
        return fail('SYSTEMERROR');
      case 'BUSYTHENNOTENOUGH':
        if (attempt === 1) return bizFail('BIZERR_NEED_RETRY', '退款业务流程错误，需要商户触发重试来解决');
        return bizFail('NOTENOUGH', '基本账户余额不足，请充值后重新发起');
      case 'E404':
        return send('not here', 404);
      case 'HUGE':
        return send(`<xml><a>${'x'.repeat(100_000)}</a></xml>`);
      case 'GARBLED':
        return send('<xml><return_code><![CDATA[SUCC');
      case 'HTMLPAGE':
        return send('<html><body>502 Bad Gateway</body></html>');
    }

    switch (path) {
      case '/pay/unifiedorder':
        if (fields.trade_type === 'NATIVE')
          return reply({
            trade_type: 'NATIVE',
            prepay_id: 'wx201411101639507cbf6ffd8b0779950874',
            code_url: 'weixin://wxpay/bizpayurl?pr=AbC1234',
          });
        return reply({
          trade_type: 'JSAPI',
          prepay_id: 'wx201411101639507cbf6ffd8b0779950874',
          openid: fields.openid ?? '',
        });
      case '/pay/orderquery':
        if (id === 'UNPAID') return reply({ trade_state: 'NOTPAY', trade_state_desc: '订单未支付', out_trade_no: id });
        if (id === 'ACCEPTED')
          return reply({ trade_state: 'ACCEPT', trade_state_desc: '已接收，等待扣款', out_trade_no: id });
        if (id === 'NEWSTATE') return reply({ trade_state: 'SOME_NEW_STATE', trade_state_desc: '?', out_trade_no: id });
        if (id === 'NOSTATE') return reply({ trade_state_desc: '?', out_trade_no: id });
        if (id === 'SWAPPED' || id === '4200000000202401010000000666') {
          // A genuinely signed answer about another order, as a replay would produce.
          return reply({
            trade_state: 'SUCCESS',
            out_trade_no: 'ORDER1',
            transaction_id: '4200000000202401010000000001',
            total_fee: '101',
            cash_fee: '101',
          });
        }
        return reply({
          trade_state: 'SUCCESS',
          trade_state_desc: '支付成功',
          out_trade_no: fields.out_trade_no ?? 'ORDER1',
          transaction_id: fields.transaction_id ?? '4200000000202401010000000001',
          total_fee: '101',
          cash_fee: '100',
          openid: 'oUser',
          time_end: '20240101120000',
          coupon_fee: '1',
          coupon_count: '1',
          coupon_id_0: 'C0',
        });
      case '/pay/closeorder':
        return reply({});
      case '/secapi/pay/refund': {
        if (!clientCertCN) return fail('no client certificate');
        const accepted: Record<string, string> = {
          out_trade_no: fields.out_trade_no!,
          out_refund_no: id === 'RSWAP' ? 'R100' : fields.out_refund_no!,
          refund_id: '50300000000000000001',
          refund_fee: id === 'RBADFEE' ? '50.00' : fields.refund_fee!,
        };
        if (id === 'RNOID') delete accepted.refund_id;
        return reply(accepted);
      }
      case '/pay/refundquery':
        if (id === 'RNEW') {
          return reply({
            out_trade_no: 'ORDER1',
            refund_count: '2',
            out_refund_no_0: 'RNEW',
            refund_id_0: '503009',
            refund_fee_0: '40',
            refund_status_0: 'SOME_NEW_STATUS',
            out_refund_no_1: 'R1',
            refund_id_1: '503001',
            refund_fee_1: '50',
            refund_status_1: 'SUCCESS',
          });
        }
        if (id === 'RNOSTATUS') {
          return reply({
            out_trade_no: 'ORDER1',
            refund_count: '1',
            out_refund_no_0: 'RNOSTATUS',
            refund_id_0: '503010',
            refund_fee_0: '1',
          });
        }
        return reply({
          out_trade_no: 'ORDER1',
          refund_count: '2',
          out_refund_no_0: 'R1',
          refund_id_0: '503001',
          refund_fee_0: '50',
          refund_status_0: 'SUCCESS',
          out_refund_no_1: 'R2',
          refund_id_1: '503002',
          refund_fee_1: '51',
          refund_status_1: 'PROCESSING',
        });
    }
    send('unknown path', 404);
  };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).not.toContain(KEY);
  return err as Error;
}

const order = {
  outTradeNo: 'ORDER1',
  body: 'wxpay-shop-商品',
  totalFee: 101,
  spbillCreateIp: '127.0.0.1',
  notifyUrl: 'https://shop.example.com/wxpay/notify',
  tradeType: 'JSAPI' as const,
  openid: 'oUser',
};

describe('PayClient over HTTP', () => {
  let server: TestServer;
  const seen: Seen[] = [];
  beforeAll(async () => {
    server = await startServer(fakeWechatPay(seen));
  });
  afterAll(() => server.close());

  // A generous deadline: only the tests about timeouts may see one fire, and they use a fake clock.
  const client = (opts: Partial<PayClientOptions> = {}) =>
    new PayClient({
      appId: APP_ID,
      mchId: MCH_ID,
      apiKey: KEY,
      signType: 'MD5',
      payBaseUrl: server.url,
      timeoutMs: 30_000,
      retryDelayMs: 5,
      ...opts,
    });
  const lastFor = (id: string) => seen.filter((s) => s.fields.out_trade_no === id || s.fields.out_refund_no === id);

  for (const signType of ['MD5', 'HMAC-SHA256'] as const) {
    it(`unifiedOrder JSAPI (${signType}) sends a signed request with sign_type, WEB, CNY and Beijing time_expire`, async () => {
      const result = await client({ signType }).unifiedOrder({
        ...order,
        attach: 'a=1&b=2',
        timeExpire: new Date('2024-01-01T04:30:00Z'),
      });
      expect(result).toMatchObject({ prepayId: 'wx201411101639507cbf6ffd8b0779950874', tradeType: 'JSAPI' });
      expect(result.codeUrl).toBeUndefined();
      const req = seen.at(-1)!;
      expect(req.path).toBe('/pay/unifiedorder');
      expect(req.fields).toMatchObject({
        appid: APP_ID,
        mch_id: MCH_ID,
        sign_type: signType,
        device_info: 'WEB',
        fee_type: 'CNY',
        total_fee: '101',
        body: 'wxpay-shop-商品',
        attach: 'a=1&b=2',
        openid: 'oUser',
        trade_type: 'JSAPI',
        time_expire: '20240101123000',
      });
      expect(req.fields.product_id).toBeUndefined();
      expect(req.fields.nonce_str).toMatch(/^[A-Za-z0-9]{32}$/);
      expect(req.fields.sign).toHaveLength(signType === 'MD5' ? 32 : 64);
      expect(verify(req.fields, KEY, signType)).toBe(true);
    });
  }

  it('unifiedOrder NATIVE returns code_url and sends product_id, not openid', async () => {
    const result = await client({ signType: 'HMAC-SHA256' }).unifiedOrder({
      ...order,
      outTradeNo: 'ORDER2',
      tradeType: 'NATIVE',
      openid: undefined,
      productId: 'SKU1',
    });
    expect(result.codeUrl).toBe('weixin://wxpay/bizpayurl?pr=AbC1234');
    expect(result.tradeType).toBe('NATIVE');
    expect(seen.at(-1)!.fields).toMatchObject({ product_id: 'SKU1', trade_type: 'NATIVE' });
    expect(seen.at(-1)!.fields.openid).toBeUndefined();
  });

  it('refuses incomplete orders before sending anything', async () => {
    const before = seen.length;
    await expect(client().unifiedOrder({ ...order, openid: undefined })).rejects.toThrow(/openid/);
    await expect(client().unifiedOrder({ ...order, tradeType: 'NATIVE' })).rejects.toThrow(/productId/);
    await expect(client().unifiedOrder({ ...order, totalFee: 1.5 })).rejects.toThrow(/totalFee/);
    await expect(client().unifiedOrder({ ...order, totalFee: 0 })).rejects.toThrow(/totalFee/);
    await expect(client().refund({ outTradeNo: 'O', outRefundNo: 'R', totalFee: 1, refundFee: 2 })).rejects.toThrow(
      /refundFee/,
    );
    expect(seen.length).toBe(before);
  });

  it('refuses malformed order and refund numbers, notify URLs and expiry dates before sending anything', async () => {
    const before = seen.length;
    for (const outTradeNo of ['', 'a'.repeat(33), 'ORDER 1', 'ORDER1&x=1', '订单1']) {
      await expect(client().unifiedOrder({ ...order, outTradeNo })).rejects.toThrow(/outTradeNo/);
      await expect(client().orderQuery({ outTradeNo })).rejects.toThrow(/outTradeNo/);
      await expect(client().closeOrder(outTradeNo)).rejects.toThrow(/outTradeNo/);
      await expect(client().refundQuery({ outTradeNo })).rejects.toThrow(/outTradeNo/);
    }
    await expect(client().orderQuery({ transactionId: '' })).rejects.toThrow(/transactionId/);
    for (const notifyUrl of [
      '/wxpay/notify',
      'ftp://shop.example.com/n',
      'https://shop.example.com/n?order=1',
      'https://shop.example.com/n#x',
    ]) {
      await expect(client().unifiedOrder({ ...order, notifyUrl })).rejects.toThrow(/notifyUrl/);
    }
    await expect(client().unifiedOrder({ ...order, timeExpire: new Date('not a date') })).rejects.toThrow(/timeExpire/);
    const refund = { outTradeNo: 'ORDER1', outRefundNo: 'R1', totalFee: 2, refundFee: 1 };
    for (const outRefundNo of ['', 'R'.repeat(65), 'R 1', 'R1&x']) {
      await expect(client().refund({ ...refund, outRefundNo })).rejects.toThrow(/outRefundNo/);
      await expect(client().refundQuery({ outRefundNo })).rejects.toThrow(/outRefundNo/);
    }
    await expect(client().refund({ ...refund, notifyUrl: 'https://shop.example.com/r?x=1' })).rejects.toThrow(
      /notifyUrl/,
    );
    expect(seen.length).toBe(before);
    // The documented extremes are accepted: 32 / 64 characters including _-|* and @.
    await expect(client().closeOrder(`A_-|*${'9'.repeat(27)}`)).resolves.toBeUndefined();
    await expect(client().refundQuery({ outRefundNo: `R_-|*@${'9'.repeat(58)}` })).resolves.toBeDefined();
  });

  it('a response signed with another key → WechatSignatureError, not retried', async () => {
    const err = await rejection(client({ retries: 3 }).unifiedOrder({ ...order, outTradeNo: 'BADSIGN' }));
    expect(err).toBeInstanceOf(WechatSignatureError);
    // WeChat may have done what was asked before the reply was tampered with.
    expect(err).toMatchObject({ source: 'upstream', outcome: 'unknown' });
    expect(lastFor('BADSIGN')).toHaveLength(1);
  });

  it('a correctly signed response for another appid → WechatSignatureError', async () => {
    expect(await rejection(client().unifiedOrder({ ...order, outTradeNo: 'OTHERAPP' }))).toBeInstanceOf(
      WechatSignatureError,
    );
  });

  it('return_code FAIL → WechatPayCommunicationError carrying return_msg, not retried', async () => {
    const err = await rejection(client().unifiedOrder({ ...order, outTradeNo: 'RFAIL' }));
    expect(err).toBeInstanceOf(WechatPayCommunicationError);
    expect((err as WechatPayCommunicationError).returnMsg).toBe('appid and openid not match');
    expect(lastFor('RFAIL')).toHaveLength(1);
  });

  it('a request signed with the wrong key is refused by the server (签名错误)', async () => {
    const err = await rejection(client({ apiKey: 'ffffffffffffffffffffffffffffffff' }).unifiedOrder(order));
    expect((err as WechatPayCommunicationError).returnMsg).toBe('签名错误');
  });

  it('result_code FAIL (ORDERPAID) → WechatPayBusinessError, not retried', async () => {
    const err = await rejection(client().unifiedOrder({ ...order, outTradeNo: 'PAID' }));
    expect(err).toBeInstanceOf(WechatPayBusinessError);
    expect((err as WechatPayBusinessError).errCode).toBe('ORDERPAID');
    expect((err as WechatPayBusinessError).errCodeDes).toBe('该订单已支付');
    expect((err as WechatPayBusinessError).retryable).toBe(false);
    expect(lastFor('PAID')).toHaveLength(1);
  });

  it('SYSTEMERROR then SUCCESS → retried once with the identical body', async () => {
    const result = await client().unifiedOrder({ ...order, outTradeNo: 'FLAKY' });
    expect(result.prepayId).toBe('wx201411101639507cbf6ffd8b0779950874');
    const attempts = lastFor('FLAKY');
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.body).toBe(attempts[0]!.body);
  });

  it('persistent SYSTEMERROR gives up after 1 + retries attempts', async () => {
    const err = await rejection(client({ retries: 2 }).closeOrder('ALWAYSBUSY'));
    expect((err as WechatPayBusinessError).errCode).toBe('SYSTEMERROR');
    expect((err as WechatPayBusinessError).retryable).toBe(true);
    expect(lastFor('ALWAYSBUSY')).toHaveLength(3);
  });

  it('HTTP 500 then success → retried', async () => {
    await client().closeOrder('E500');
    const attempts = lastFor('E500');
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.body).toBe(attempts[0]!.body);
  });

  it('HTTP 404 → WechatTransportError(status), not retried', async () => {
    const err = await rejection(client().closeOrder('E404'));
    expect(err).toBeInstanceOf(WechatTransportError);
    expect((err as WechatTransportError).status).toBe(404);
    expect(lastFor('E404')).toHaveLength(1);
  });

  it('timeout → WechatTransportError after 1 + retries bounded attempts', () =>
    withFakeClock(async () => {
      const pending = rejection(client({ timeoutMs: 10_000, retries: 1, retryDelayMs: 5 }).closeOrder('SLOW'));
      await arrival(seen, 'SLOW', 1);
      await advanceClock(9_999);
      expect(lastFor('SLOW')).toHaveLength(1); // not before the deadline
      await advanceClock(1); // the deadline: the attempt is abandoned, the retry waits 5 ms
      await advanceClock(5);
      await arrival(seen, 'SLOW', 2);
      await advanceClock(10_000);
      const err = await pending;
      expect(err).toBeInstanceOf(WechatTransportError);
      expect(err.message).toMatch(/timed out after 10000 ms/);
      expect((err as WechatError).outcome).toBe('unknown');
      expect(lastFor('SLOW')).toHaveLength(2);
    }));

  it('a response that stalls mid-body → WechatTransportError timeout', () =>
    withFakeClock(async () => {
      const stalled = once(fakeEvents, 'stalled');
      const pending = rejection(client({ timeoutMs: 10_000, retries: 0 }).closeOrder('STALL'));
      await stalled;
      await advanceClock(10_000);
      const err = await pending;
      expect(err).toBeInstanceOf(WechatTransportError);
      expect(err.message).toMatch(/timed out/);
    }));

  it('an oversized response is refused: WeChat answered, so the outcome is unknown', async () => {
    const err = await rejection(client().closeOrder('HUGE'));
    expect(err).toBeInstanceOf(WechatXmlError);
    expect(err).toMatchObject({ reason: 'TOO_LARGE', source: 'upstream', outcome: 'unknown' });
  });

  it('an answer that is not XML → WechatXmlError from upstream, outcome unknown, never a refusal', async () => {
    for (const [outTradeNo, reason] of [
      ['GARBLED', 'MALFORMED'],
      ['HTMLPAGE', 'BAD_ROOT'],
    ] as const) {
      const err = await rejection(client({ retries: 3 }).unifiedOrder({ ...order, outTradeNo }));
      expect(err).toBeInstanceOf(WechatXmlError);
      expect(err).toMatchObject({ reason, source: 'upstream', outcome: 'unknown' });
      expect(isPayRefusal(err)).toBe(false);
      expect(lastFor(outTradeNo)).toHaveLength(1);
    }
  });

  it('a refused connection → WechatTransportError', async () => {
    const dead = client({ payBaseUrl: 'http://127.0.0.1:1', retries: 0 });
    expect(await rejection(dead.closeOrder('X'))).toBeInstanceOf(WechatTransportError);
  });

  it('orderQuery maps a paid order (and verifies unknown extra fields)', async () => {
    const result = await client({ signType: 'HMAC-SHA256' }).orderQuery({ outTradeNo: 'ORDER1' });
    expect(result).toMatchObject({
      tradeState: 'SUCCESS',
      tradeStateDesc: '支付成功',
      outTradeNo: 'ORDER1',
      transactionId: '4200000000202401010000000001',
      totalFee: 101,
      cashFee: 100,
      openid: 'oUser',
      timeEnd: '20240101120000',
    });
    expect(result.raw.coupon_id_0).toBe('C0');
  });

  it('orderQuery by transaction_id, and an unpaid order', async () => {
    await client().orderQuery({ transactionId: '4200000000202401010000000009' });
    expect(seen.at(-1)!.fields.transaction_id).toBe('4200000000202401010000000009');
    expect(seen.at(-1)!.fields.out_trade_no).toBeUndefined();
    const unpaid = await client().orderQuery({ outTradeNo: 'UNPAID' });
    expect(unpaid).toMatchObject({ tradeState: 'NOTPAY', outTradeNo: 'UNPAID' });
    expect(unpaid.totalFee).toBeUndefined();
    expect(unpaid.transactionId).toBeUndefined();
  });

  it('orderQuery passes ACCEPT and states it does not know through instead of failing', async () => {
    expect(await client().orderQuery({ outTradeNo: 'ACCEPTED' })).toMatchObject({
      tradeState: 'ACCEPT',
      outTradeNo: 'ACCEPTED',
    });
    const unknown = await client().orderQuery({ outTradeNo: 'NEWSTATE' });
    expect(unknown.tradeState).toBe('UNKNOWN');
    expect(unknown.raw.trade_state).toBe('SOME_NEW_STATE');
    expect(unknown.transactionId).toBeUndefined();
    const missing = await rejection(client().orderQuery({ outTradeNo: 'NOSTATE' }));
    expect(missing).toBeInstanceOf(WechatPayResponseError);
    expect(missing.message).toMatch(/trade_state/);
  });

  it('orderQuery refuses a signed answer about another order than the one queried', async () => {
    const byNo = await rejection(client().orderQuery({ outTradeNo: 'SWAPPED' }));
    expect(byNo).toBeInstanceOf(WechatPayResponseError);
    expect(byNo.message).toMatch(/out_trade_no/);
    const byId = await rejection(client().orderQuery({ transactionId: '4200000000202401010000000666' }));
    expect(byId).toBeInstanceOf(WechatPayResponseError);
    expect(byId.message).toMatch(/transaction_id/);
  });

  it('closeOrder: success and ORDERPAID', async () => {
    await expect(client().closeOrder('ORDER3')).resolves.toBeUndefined();
    expect(seen.at(-1)!.path).toBe('/pay/closeorder');
    expect(await rejection(client().closeOrder('PAID'))).toBeInstanceOf(WechatPayBusinessError);
  });

  it('refundQuery parses the _$n fields', async () => {
    const result = await client().refundQuery({ outTradeNo: 'ORDER1' });
    expect(result.refunds).toEqual([
      { outRefundNo: 'R1', refundId: '503001', refundFee: 50, status: 'SUCCESS' },
      { outRefundNo: 'R2', refundId: '503002', refundFee: 51, status: 'PROCESSING' },
    ]);
    await client().refundQuery({ outRefundNo: 'R1' });
    expect(seen.at(-1)!.fields.out_refund_no).toBe('R1');
  });

  it('refundQuery passes an unknown refund_status_$n through as UNKNOWN with the raw value, next to the known ones', async () => {
    const result = await client().refundQuery({ outRefundNo: 'RNEW' });
    expect(result.refunds).toEqual([
      { outRefundNo: 'RNEW', refundId: '503009', refundFee: 40, status: 'UNKNOWN', rawStatus: 'SOME_NEW_STATUS' },
      { outRefundNo: 'R1', refundId: '503001', refundFee: 50, status: 'SUCCESS' },
    ]);
    expect(result.raw.refund_status_0).toBe('SOME_NEW_STATUS');
  });

  it('refundQuery without a refund_status_$n is still malformed', async () => {
    const err = await rejection(client().refundQuery({ outRefundNo: 'RNOSTATUS' }));
    expect(err).toBeInstanceOf(WechatPayResponseError);
    expect(err.message).toMatch(/refund_status_0/);
  });
});

describe('PayClient refund over mutual TLS', () => {
  let pki: TestPki;
  let plain: TestServer;
  let tls: TestServer;
  const seen: Seen[] = [];
  beforeAll(async () => {
    pki = createTestPki();
    const handler = fakeWechatPay(seen);
    plain = await startServer(handler);
    tls = await startServer(handler, {
      cert: pki.server.cert,
      key: pki.server.key,
      ca: pki.ca,
      requestCert: true,
      rejectUnauthorized: true,
    });
  });
  afterAll(async () => {
    await plain?.close();
    await tls?.close();
  });

  const refund = {
    outTradeNo: 'ORDER1',
    outRefundNo: 'R100',
    totalFee: 101,
    refundFee: 50,
    refundDesc: '退款',
    notifyUrl: 'https://shop.example.com/wxpay/refund-notify',
  };
  const client = (opts: Partial<PayClientOptions> = {}) =>
    new PayClient({
      appId: APP_ID,
      mchId: MCH_ID,
      apiKey: KEY,
      signType: 'HMAC-SHA256',
      payBaseUrl: plain.url,
      secapiBaseUrl: tls.url,
      tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca },
      // Generous: a TLS handshake on a busy machine must never lose a race against the deadline.
      timeoutMs: 30_000,
      retries: 0,
      ...opts,
    });

  it('presents the merchant client certificate on /secapi/pay/refund', async () => {
    const result = await client().refund(refund);
    expect(result).toMatchObject({ refundId: '50300000000000000001', outRefundNo: 'R100', refundFee: 50 });
    const req = seen.at(-1)!;
    expect(req.path).toBe('/secapi/pay/refund');
    expect(req.clientCertCN).toBe('10000100');
    expect(req.fields).toMatchObject({
      out_refund_no: 'R100',
      total_fee: '101',
      refund_fee: '50',
      refund_fee_type: 'CNY',
      refund_desc: '退款',
      sign_type: 'HMAC-SHA256',
    });
  });

  it('a refund answered SYSTEMERROR is re-sent byte for byte (same out_refund_no, so WeChat refunds once)', async () => {
    const result = await client({ retries: 1, retryDelayMs: 5 }).refund({ ...refund, outRefundNo: 'FLAKY' });
    expect(result.outRefundNo).toBe('FLAKY');
    const attempts = seen.filter((s) => s.fields.out_refund_no === 'FLAKY');
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.body).toBe(attempts[0]!.body);
    expect(attempts.every((a) => a.path === '/secapi/pay/refund' && a.clientCertCN === '10000100')).toBe(true);
  });

  it('a verified SUCCESS refund answer that is unusable → WechatPayResponseError (outcome unknown), never a refusal', async () => {
    for (const [outRefundNo, field] of [
      ['RSWAP', /out_refund_no/],
      ['RNOID', /refund_id/],
      ['RBADFEE', /refund_fee/],
    ] as const) {
      const err = await rejection(client().refund({ ...refund, outRefundNo }));
      expect(err).toBeInstanceOf(WechatPayResponseError);
      expect(err).not.toBeInstanceOf(WechatPayCommunicationError);
      expect(err.message).toMatch(field);
      expect(err.message).toMatch(/outcome is unknown/);
    }
  });

  it('a refund refused on the retry after an attempt that may have been applied → outcome unknown', async () => {
    const retrying = client({ retries: 1, retryDelayMs: 5 });
    for (const [outRefundNo, refusal] of [
      ['LOSTTHENLIMITED', WechatPayBusinessError],
      ['E500THENRFAIL', WechatPayCommunicationError],
    ] as const) {
      const err = await rejection(retrying.refund({ ...refund, outRefundNo }));
      expect(err).toBeInstanceOf(WechatTransportError);
      expect(err).toMatchObject({ outcome: 'unknown', source: 'upstream' });
      expect(err.message).toMatch(/may have been applied/);
      expect(err.cause).toBeInstanceOf(refusal);
      const attempts = seen.filter((s) => s.fields.out_refund_no === outRefundNo);
      expect(attempts).toHaveLength(2);
      expect(attempts[1]!.body).toBe(attempts[0]!.body);
    }
    // Only an unknown earlier attempt taints the refusal: after a signed refusal, the next one stands.
    const refused = await rejection(retrying.refund({ ...refund, outRefundNo: 'BUSYTHENNOTENOUGH' }));
    expect(refused).toBeInstanceOf(WechatPayBusinessError);
    expect((refused as WechatPayBusinessError).errCode).toBe('NOTENOUGH');
    // And closeOrder keeps its meaning: ORDERPAID after a lost answer still says the order is paid.
    const paid = await rejection(retrying.closeOrder('LOSTTHENPAID'));
    expect(paid).toBeInstanceOf(WechatPayBusinessError);
    expect((paid as WechatPayBusinessError).errCode).toBe('ORDERPAID');
  });

  it('non-secapi calls still go to payBaseUrl', async () => {
    await client().closeOrder('ORDER9');
    expect(seen.at(-1)!.clientCertCN).toBeUndefined();
  });

  it('refuses to send a refund without a client certificate, or over plain HTTP that cannot carry one', async () => {
    const before = seen.length;
    const noCert = /needs the merchant client certificate/;
    const notHttps = /needs an https secapiBaseUrl/;
    for (const [opts, reason] of [
      [{ tls: undefined }, noCert],
      // Plain HTTP would reach the server: these must stop before sending, not be refused by it.
      [{ tls: undefined, secapiBaseUrl: plain.url }, noCert],
      [{ tls: { cert: pki.client.cert, key: '', ca: pki.ca } }, noCert],
      [{ secapiBaseUrl: plain.url }, notHttps],
      [{ secapiBaseUrl: undefined }, notHttps],
    ] as const) {
      const err = await rejection(client(opts).refund(refund));
      expect(err.message).toMatch(reason);
    }
    expect(seen.length).toBe(before);
  });

  it('an unusable client key fails cleanly as WechatTransportError', async () => {
    const broken = client({ tls: { cert: pki.client.cert, key: 'not a pem key', ca: pki.ca } });
    expect(await rejection(broken.refund(refund))).toBeInstanceOf(WechatTransportError);
  });

  it('fails with a client certificate from another CA', async () => {
    const before = seen.length;
    const rogue = client({ tls: { cert: pki.rogueClient.cert, key: pki.rogueClient.key, ca: pki.ca } });
    expect(await rejection(rogue.refund(refund))).toBeInstanceOf(WechatTransportError);
    expect(seen.length).toBe(before);
  });
});
