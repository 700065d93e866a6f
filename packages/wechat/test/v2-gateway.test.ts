/** PayV2Gateway: the v2 client and notification parsers behind the version-neutral PayGateway shapes. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PayV2Gateway,
  WechatPayBusinessError,
  WechatPayResponseError,
  WechatSignatureError,
  beijingDateTime,
  buildXml,
  encryptReqInfo,
  parseXml,
  sign,
  verify,
  verifyJsapiPayParams,
  type PayGateway,
} from '../src/index';
import { createTestPki } from './helpers/certs';
import { startServer, type TestServer } from './helpers/http-server';

const APP_ID = 'wx2421b1c4370ec43b';
const MCH_ID = '10000100';
const KEY = '192006250b4c09247ec02edce69f6a2d';

/** A minimal fake of api.mch.weixin.qq.com: checks the sign, answers signed SUCCESS per path. */
async function fakeV2(seen: Record<string, string>[]) {
  return async (_req: IncomingMessage, res: ServerResponse, body: string): Promise<void> => {
    const fields = await parseXml(body);
    seen.push(fields);
    const reply = (extra: Record<string, string>) => {
      const out = { return_code: 'SUCCESS', appid: APP_ID, mch_id: MCH_ID, nonce_str: 'srv', result_code: 'SUCCESS' };
      Object.assign(out, extra);
      res.end(buildXml({ ...out, sign: sign(out, KEY, 'MD5') }));
    };
    if (!verify(fields, KEY, 'MD5')) return void res.end(buildXml({ return_code: 'FAIL', return_msg: '签名错误' }));
    const path = _req.url ?? '';
    if (path === '/pay/unifiedorder') {
      if (fields.trade_type === 'MWEB') {
        if (!fields.scene_info) {
          return reply({ result_code: 'FAIL', err_code: 'PARAM_ERROR', err_code_des: 'scene_info' });
        }
        const mwebUrl = 'https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=wx2016&package=1037687096';
        if (fields.out_trade_no === 'NOMWEBURL') return reply({ trade_type: 'MWEB', prepay_id: 'wx2016' });
        return reply({ trade_type: 'MWEB', prepay_id: 'wx2016', mweb_url: mwebUrl });
      }
      const codeUrl = 'weixin://wxpay/bizpayurl?pr=AbC1234';
      return reply({ trade_type: fields.trade_type!, prepay_id: 'wx2014111016395', code_url: codeUrl });
    }
    if (path === '/pay/orderquery') {
      return reply({
        trade_state: 'SUCCESS',
        out_trade_no: fields.out_trade_no!,
        transaction_id: '4200000000202401010000000001',
        total_fee: '990',
        cash_fee: '900',
        openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
        time_end: '20260101100000',
      });
    }
    if (path === '/pay/closeorder') {
      if (fields.out_trade_no === 'PAIDORDER') {
        return reply({ result_code: 'FAIL', err_code: 'ORDERPAID', err_code_des: '已支付' });
      }
      return reply({});
    }
    if (path === '/secapi/pay/refund') {
      const refundId = '50000000382019052709732678859';
      return reply({ out_refund_no: fields.out_refund_no!, refund_id: refundId, refund_fee: fields.refund_fee! });
    }
    if (path === '/pay/refundquery') {
      return reply({
        refund_count: '2',
        out_refund_no_0: 'OTHERREFUND',
        refund_id_0: '1',
        refund_fee_0: '1',
        refund_status_0: 'SUCCESS',
        out_refund_no_1: fields.out_refund_no!,
        refund_id_1: '2',
        refund_fee_1: '500',
        refund_status_1: 'CHANGE',
      });
    }
    res.statusCode = 404;
    res.end();
  };
}

describe('PayV2Gateway', () => {
  const seen: Record<string, string>[] = [];
  let plain: TestServer;
  let secure: TestServer;
  let gateway: PayGateway;

  beforeAll(async () => {
    const pki = createTestPki();
    const handler = await fakeV2(seen);
    plain = await startServer(handler);
    secure = await startServer(handler, { cert: pki.server.cert, key: pki.server.key, ca: pki.ca, requestCert: true });
    gateway = new PayV2Gateway({
      appId: APP_ID,
      mchId: MCH_ID,
      apiKey: KEY,
      signType: 'MD5',
      payBaseUrl: plain.url,
      secapiBaseUrl: secure.url,
      tls: { cert: pki.client.cert, key: pki.client.key, ca: pki.ca },
      retryDelayMs: 1,
    });
  });
  afterAll(async () => {
    await plain.close();
    await secure.close();
  });

  it('JSAPI and NATIVE prepay map onto unifiedorder; page params are the v2 MD5 ones', async () => {
    const notifyUrl = 'https://shop.example/notify';
    const base = { outTradeNo: 'ORDER0001', description: '商品', totalFen: 990, notifyUrl, clientIp: '1.2.3.4' };
    const jsapi = await gateway.createPrepay({ ...base, tradeType: 'JSAPI', openid: 'oUpF8uMu' });
    expect(jsapi).toEqual({ tradeType: 'JSAPI', prepayId: 'wx2014111016395' });
    const sent = { trade_type: 'JSAPI', body: '商品', total_fee: '990', spbill_create_ip: '1.2.3.4' };
    expect(seen.at(-1)).toMatchObject(sent);
    const native = await gateway.createPrepay({ ...base, tradeType: 'NATIVE' });
    expect(native).toEqual({ tradeType: 'NATIVE', codeUrl: 'weixin://wxpay/bizpayurl?pr=AbC1234' });
    expect(seen.at(-1)?.product_id).toBe('ORDER0001');
    const params = gateway.pagePayParams('wx2014111016395');
    expect(params.signType).toBe('MD5');
    expect(verifyJsapiPayParams(params, KEY)).toBe(true);
  });

  it('H5 is MWEB: scene_info h5_info JSON, the payer IP, and mweb_url as h5Url', async () => {
    const notifyUrl = 'https://shop.example/notify';
    const base = { outTradeNo: 'ORDER0002', description: '商品', totalFen: 1, notifyUrl };
    const h5 = { type: 'Wap' as const, appUrl: 'https://shop.example', appName: '示例商店' };
    const prepay = await gateway.createPrepay({ ...base, tradeType: 'H5', clientIp: '203.0.113.9', h5 });
    expect(prepay.tradeType === 'H5' && prepay.h5Url).toMatch(/^https:\/\/wx\.tenpay\.com\/.*checkmweb/);
    const sent = seen.at(-1)!;
    expect(sent).toMatchObject({ trade_type: 'MWEB', spbill_create_ip: '203.0.113.9' });
    const h5Info = { type: 'Wap', wap_url: 'https://shop.example', wap_name: '示例商店' };
    expect(JSON.parse(sent.scene_info!)).toEqual({ h5_info: h5Info });
    expect(sent.openid).toBeUndefined();
    const before = seen.length;
    const h5Order = { ...base, tradeType: 'H5' as const, clientIp: '1.2.3.4' };
    await expect(gateway.createPrepay(h5Order)).rejects.toThrow(/needs h5/);
    const tooLong = { ...h5Order, h5: { ...h5, appName: '长'.repeat(90) } };
    await expect(gateway.createPrepay(tooLong)).rejects.toThrow(/scene_info exceeds 256 bytes/);
    expect(seen.length).toBe(before);
    const noUrl = gateway.createPrepay({ ...h5Order, outTradeNo: 'NOMWEBURL', h5 });
    await expect(noUrl).rejects.toBeInstanceOf(WechatPayResponseError);
  });

  it('query maps fees and time_end (Beijing) onto the neutral shape', async () => {
    const status = await gateway.queryOrder('ORDER0001');
    expect(status).toMatchObject({ tradeState: 'SUCCESS', rawState: 'SUCCESS', totalFen: 990, payerTotalFen: 900 });
    expect(status.paidAt?.toISOString()).toBe('2026-01-01T02:00:00.000Z');
  });

  it('close resolves; ORDERPAID surfaces as WechatPayBusinessError', async () => {
    await expect(gateway.closeOrder('ORDER0001')).resolves.toBeUndefined();
    await expect(gateway.closeOrder('PAIDORDER')).rejects.toBeInstanceOf(WechatPayBusinessError);
  });

  it('refund over mutual TLS is PROCESSING; the query picks the refund asked for (CHANGE → ABNORMAL)', async () => {
    const input = { outTradeNo: 'ORDER0001', outRefundNo: 'REFUND0001', totalFen: 990, refundFen: 500 };
    const refund = await gateway.refund(input);
    const refundId = '50000000382019052709732678859';
    expect(refund).toEqual({ outRefundNo: 'REFUND0001', refundId, refundFen: 500, status: 'PROCESSING' });
    const queried = await gateway.queryRefund('REFUND0001');
    expect(queried).toEqual({ outRefundNo: 'REFUND0001', refundId: '2', refundFen: 500, status: 'ABNORMAL' });
  });

  it('payment and refund notifications parse into the neutral shapes; reply is XML with 200', async () => {
    const pay: Record<string, string> = {
      return_code: 'SUCCESS',
      appid: APP_ID,
      mch_id: MCH_ID,
      nonce_str: 'n1',
      result_code: 'SUCCESS',
      openid: 'oUpF8uMu',
      trade_type: 'JSAPI',
      total_fee: '990',
      cash_fee: '900',
      transaction_id: '4200000000202401010000000001',
      out_trade_no: 'ORDER0001',
      time_end: '20260101100000',
    };
    const payBody = buildXml({ ...pay, sign: sign(pay, KEY, 'MD5') });
    expect(await gateway.parseNotification({ headers: {}, body: payBody })).toMatchObject({
      kind: 'payment',
      outTradeNo: 'ORDER0001',
      totalFen: 990,
      payerTotalFen: 900,
      paid: true,
    });
    const tampered = payBody.replace('<total_fee><![CDATA[990]]>', '<total_fee><![CDATA[1]]>');
    const parsed = gateway.parseNotification({ headers: {}, body: tampered });
    await expect(parsed).rejects.toBeInstanceOf(WechatSignatureError);

    const inner = buildXml(
      {
        out_refund_no: 'REFUND0001',
        out_trade_no: 'ORDER0001',
        refund_id: '2',
        transaction_id: '4200000000202401010000000001',
        total_fee: '990',
        refund_fee: '500',
        refund_status: 'REFUNDCLOSE',
        success_time: beijingDateTime(new Date('2026-01-02T02:00:00Z')),
      },
      'root',
    );
    const outer = { return_code: 'SUCCESS', appid: APP_ID, mch_id: MCH_ID, nonce_str: 'n2' };
    const refundBody = buildXml({ ...outer, req_info: encryptReqInfo(inner, KEY) });
    const refund = await gateway.parseNotification({ headers: {}, body: refundBody });
    expect(refund).toMatchObject({ kind: 'refund', outRefundNo: 'REFUND0001', refundFen: 500, status: 'CLOSED' });
    expect(refund.kind === 'refund' && refund.refundedAt?.toISOString()).toBe('2026-01-02T02:00:00.000Z');

    expect(gateway.notificationReply(true)).toMatchObject({ status: 200, body: expect.stringContaining('SUCCESS') });
    expect(gateway.notificationReply(false, 'bad').body).toContain('FAIL');
  });
});
