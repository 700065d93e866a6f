import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseXml, decryptReqInfo, verify } from '@wxpay-shop/wechat';
import { openidFor, type Emulator } from '../src/index';
import {
  eventually,
  M,
  merchantTls,
  orderParams,
  payApi,
  postHttps,
  postXml,
  refundNotice,
  signed,
  startEmulator,
  startReceiver,
} from './helpers/emulator';

const OTHER = {
  appId: 'wx1111111111111111',
  appSecret: 's',
  mchId: '1900000109',
  apiKey: 'k'.repeat(32),
  oauthDomains: [],
};

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator({ refundDelayMs: 30 });
});
afterEach(async () => {
  await emu.stop();
});

async function paidOrder(totalFee = 300) {
  const params = orderParams({ total_fee: totalFee });
  const res = await payApi(emu, '/pay/unifiedorder', params);
  await emu.pay(res.fields.prepay_id!);
  return params.out_trade_no as string;
}

function refundXml(outTradeNo: string, extra: Record<string, string | number | undefined> = {}) {
  return signed({
    out_trade_no: outTradeNo,
    out_refund_no: `R${outTradeNo}`,
    total_fee: 300,
    refund_fee: 100,
    ...extra,
  });
}

describe('refund over mutual TLS', () => {
  it('is refused on plain HTTP and over HTTPS without a client certificate', async () => {
    const outTradeNo = await paidOrder();
    const plain = await postXml(`${emu.httpUrl}/secapi/pay/refund`, refundXml(outTradeNo));
    expect(plain.fields.return_code).toBe('FAIL');
    expect(plain.fields.return_msg).toContain('双向TLS');
    const noCert = await postHttps(`${emu.httpsUrl}/secapi/pay/refund`, refundXml(outTradeNo), {
      ca: emu.certs.caCert,
    });
    expect(noCert.fields.return_code).toBe('FAIL');
    expect(noCert.fields.return_msg).toContain('未携带商户API证书');
    expect(emu.state.refunds.size).toBe(0);
    // Other endpoints work over HTTPS without a certificate.
    const query = await postHttps(`${emu.httpsUrl}/pay/orderquery`, signed({ out_trade_no: outTradeNo }), {
      ca: emu.certs.caCert,
    });
    expect(query.fields.trade_state).toBe('SUCCESS');
  });

  it("a second merchant refunds with its own certificate (CN = its mch_id); another merchant's certificate → mismatch", async () => {
    await emu.stop();
    emu = await startEmulator({ refundDelayMs: 30, merchants: [M, OTHER] });
    const own = emu.certs.forMerchant(OTHER.mchId);
    const issued = new X509Certificate(own.cert);
    expect(issued.subject).toContain(`CN=${OTHER.mchId}`);
    expect(issued.verify(new X509Certificate(emu.certs.caCert).publicKey)).toBe(true);
    expect(emu.certs.forMerchant(OTHER.mchId)).toEqual(own); // issued once
    expect(emu.certs.forMerchant(M.mchId)).toEqual({ cert: emu.certs.merchantCert, key: emu.certs.merchantKey });
    expect(() => emu.certs.forMerchant('1900000999')).toThrow('no merchant 1900000999');

    const order = orderParams({
      appid: OTHER.appId,
      mch_id: OTHER.mchId,
      openid: openidFor(OTHER.appId, 'zhangsan'),
      total_fee: 300,
    });
    const prepay = await postXml(`${emu.httpUrl}/pay/unifiedorder`, signed(order, 'MD5', OTHER.apiKey));
    await emu.pay(prepay.fields.prepay_id!);
    const otherRefund = (outRefundNo: string) =>
      signed(
        {
          appid: OTHER.appId,
          mch_id: OTHER.mchId,
          out_trade_no: order.out_trade_no,
          out_refund_no: outRefundNo,
          total_fee: 300,
          refund_fee: 100,
        },
        'MD5',
        OTHER.apiKey,
      );
    const url = `${emu.httpsUrl}/secapi/pay/refund`;

    const refunded = await postHttps(url, otherRefund('RO1'), { ca: emu.certs.caCert, ...own });
    expect(refunded.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'SUCCESS',
      mch_id: OTHER.mchId,
      out_refund_no: 'RO1',
      refund_fee: '100',
    });
    expect(verify(refunded.fields, OTHER.apiKey, 'MD5')).toBe(true);

    // The default merchant's certificate does not speak for the other merchant, nor the other way round.
    const foreign = await postHttps(url, otherRefund('RO2'), merchantTls(emu));
    expect(foreign.fields).toEqual({ return_code: 'FAIL', return_msg: '商户API证书与mch_id不匹配' });
    const outTradeNo = await paidOrder();
    const reverse = await postHttps(url, refundXml(outTradeNo), { ca: emu.certs.caCert, ...own });
    expect(reverse.fields).toEqual({ return_code: 'FAIL', return_msg: '商户API证书与mch_id不匹配' });
    expect([...emu.state.refunds.values()].map((r) => r.outRefundNo)).toEqual(['RO1']);
  });

  it('refuses a client certificate from another CA', async () => {
    const outTradeNo = await paidOrder();
    const { cert, key } = selfSignedClientCert(M.mchId);
    const res = await postHttps(`${emu.httpsUrl}/secapi/pay/refund`, refundXml(outTradeNo), {
      ca: emu.certs.caCert,
      cert,
      key,
    });
    expect(res.fields.return_code).toBe('FAIL');
    expect(res.fields.return_msg).toContain('证书校验失败');
  });

  it('succeeds with the merchant certificate, is idempotent per out_refund_no, completes and notifies', async () => {
    const receiver = await startReceiver();
    try {
      const outTradeNo = await paidOrder();
      const body = refundXml(outTradeNo, { notify_url: receiver.url });
      const first = await postHttps(`${emu.httpsUrl}/secapi/pay/refund`, body, merchantTls(emu));
      expect(first.fields).toMatchObject({
        return_code: 'SUCCESS',
        result_code: 'SUCCESS',
        refund_fee: '100',
        total_fee: '300',
        out_refund_no: `R${outTradeNo}`,
      });
      expect(verify(first.fields, M.apiKey, 'MD5')).toBe(true);
      const again = await postHttps(`${emu.httpsUrl}/secapi/pay/refund`, body, merchantTls(emu));
      expect(again.fields.refund_id).toBe(first.fields.refund_id);
      expect(emu.state.refunds.size).toBe(1);

      const conflicting = await postHttps(
        `${emu.httpsUrl}/secapi/pay/refund`,
        refundXml(outTradeNo, { refund_fee: 50 }),
        merchantTls(emu),
      );
      expect(conflicting.fields).toMatchObject({
        result_code: 'FAIL',
        err_code: 'REFUND_FEE_MISMATCH',
        err_code_des: '订单金额或退款金额与之前请求不一致，请核实后再试',
      });

      expect((await payApi(emu, '/pay/orderquery', { out_trade_no: outTradeNo })).fields.trade_state).toBe('REFUND');
      const [notice] = await receiver.waitFor(1);
      const outer = await parseXml(notice!.body);
      expect(outer.sign).toBeUndefined();
      expect(outer).toMatchObject({ return_code: 'SUCCESS', appid: M.appId, mch_id: M.mchId });
      const inner = await parseXml(decryptReqInfo(outer.req_info!, M.apiKey), { root: 'root' });
      expect(inner).toMatchObject({
        out_trade_no: outTradeNo,
        out_refund_no: `R${outTradeNo}`,
        refund_fee: '100',
        total_fee: '300',
        refund_status: 'SUCCESS',
      });
      expect(inner.success_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);

      const query = await payApi(emu, '/pay/refundquery', { out_refund_no: `R${outTradeNo}` });
      expect(query.fields).toMatchObject({
        refund_count: '1',
        refund_status_0: 'SUCCESS',
        refund_fee_0: '100',
        out_refund_no_0: `R${outTradeNo}`,
      });
      expect(verify(query.fields, M.apiKey, 'MD5')).toBe(true);
    } finally {
      await receiver.close();
    }
  });

  it('refuses over-refunds, a wrong total_fee, a refund_fee above total_fee and unpaid orders; PROCESSING before completion', async () => {
    await emu.stop();
    emu = await startEmulator({ refundDelayMs: 60_000 });
    const outTradeNo = await paidOrder();
    const r1 = await postHttps(
      `${emu.httpsUrl}/secapi/pay/refund`,
      refundXml(outTradeNo, { out_refund_no: 'RA', refund_fee: 200 }),
      merchantTls(emu),
    );
    expect(r1.fields.result_code).toBe('SUCCESS');
    expect((await payApi(emu, '/pay/refundquery', { out_trade_no: outTradeNo })).fields.refund_status_0).toBe(
      'PROCESSING',
    );
    const over = await postHttps(
      `${emu.httpsUrl}/secapi/pay/refund`,
      refundXml(outTradeNo, { out_refund_no: 'RB', refund_fee: 101 }),
      merchantTls(emu),
    );
    expect(over.fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'INVALID_REQUEST',
      err_code_des: 'refund_fee大于可退金额',
    });
    const wrongTotal = await postHttps(
      `${emu.httpsUrl}/secapi/pay/refund`,
      refundXml(outTradeNo, { out_refund_no: 'RC', total_fee: 299 }),
      merchantTls(emu),
    );
    expect(wrongTotal.fields).toMatchObject({ result_code: 'FAIL', err_code: 'REFUND_FEE_MISMATCH' });
    const aboveTotal = await postHttps(
      `${emu.httpsUrl}/secapi/pay/refund`,
      refundXml(outTradeNo, { out_refund_no: 'RE', refund_fee: 301 }),
      merchantTls(emu),
    );
    expect(aboveTotal.fields).toEqual({ return_code: 'FAIL', return_msg: 'invalid refund_fee' });
    const yuan = await postHttps(
      `${emu.httpsUrl}/secapi/pay/refund`,
      refundXml(outTradeNo, { out_refund_no: 'RF', refund_fee: '1.00' }),
      merchantTls(emu),
    );
    expect(yuan.fields).toEqual({ return_code: 'FAIL', return_msg: 'invalid refund_fee' });
    expect(emu.state.refunds.size).toBe(1);
    const rest = await postHttps(
      `${emu.httpsUrl}/secapi/pay/refund`,
      refundXml(outTradeNo, { out_refund_no: 'RD', refund_fee: 100 }),
      merchantTls(emu),
    );
    expect(rest.fields.result_code).toBe('SUCCESS');
    const full = await postHttps(
      `${emu.httpsUrl}/secapi/pay/refund`,
      refundXml(outTradeNo, { out_refund_no: 'RG', refund_fee: 1 }),
      merchantTls(emu),
    );
    expect(full.fields).toMatchObject({ result_code: 'FAIL', err_code: 'ERROR', err_code_des: '订单已全额退款' });

    const unpaid = orderParams({ total_fee: 300 });
    await payApi(emu, '/pay/unifiedorder', unpaid);
    const refused = await postHttps(
      `${emu.httpsUrl}/secapi/pay/refund`,
      refundXml(unpaid.out_trade_no as string),
      merchantTls(emu),
    );
    expect(refused.fields.err_code).toBe('ORDERNOTEXIST');
    expect((await payApi(emu, '/pay/refundquery', { out_refund_no: 'nope' })).fields.err_code).toBe('REFUNDNOTEXIST');
  });

  it('limits refund_desc to 80 UTF-8 bytes', async () => {
    const outTradeNo = await paidOrder();
    // 27 CJK characters are 81 bytes; 26 and two letters are exactly 80.
    const over = await postHttps(
      `${emu.httpsUrl}/secapi/pay/refund`,
      refundXml(outTradeNo, { refund_desc: '退'.repeat(27) }),
      merchantTls(emu),
    );
    expect(over.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'PARAM_ERROR',
      err_code_des: 'refund_desc长度不能超过80',
    });
    expect(emu.state.refunds.size).toBe(0);
    const at = await postHttps(
      `${emu.httpsUrl}/secapi/pay/refund`,
      refundXml(outTradeNo, { refund_desc: `${'退'.repeat(26)}ab` }),
      merchantTls(emu),
    );
    expect(at.fields.result_code).toBe('SUCCESS');
  });

  it('a refund without notify_url completes silently', async () => {
    const outTradeNo = await paidOrder();
    await postHttps(`${emu.httpsUrl}/secapi/pay/refund`, refundXml(outTradeNo), merchantTls(emu));
    await eventually(() => [...emu.state.refunds.values()][0]?.status === 'SUCCESS');
    expect(emu.state.deliveries.size).toBe(1); // only the payment notification
  });

  it("the merchant's console refundNotifyUrl is used when the request names none; the request's notify_url wins", async () => {
    const consoleRx = await startReceiver();
    const requestRx = await startReceiver();
    try {
      await emu.stop();
      emu = await startEmulator({ refundDelayMs: 30, merchants: [{ ...M, refundNotifyUrl: consoleRx.url }] });
      const a = await paidOrder();
      await postHttps(`${emu.httpsUrl}/secapi/pay/refund`, refundXml(a), merchantTls(emu));
      const [notice] = await consoleRx.waitFor(1);
      const inner = await refundNotice(notice!.body);
      expect(inner).toMatchObject({ out_trade_no: a, refund_status: 'SUCCESS' });

      const b = await paidOrder();
      await postHttps(
        `${emu.httpsUrl}/secapi/pay/refund`,
        refundXml(b, { notify_url: requestRx.url }),
        merchantTls(emu),
      );
      await requestRx.waitFor(1);
      expect(consoleRx.received).toHaveLength(1);
    } finally {
      await consoleRx.close();
      await requestRx.close();
    }
  });
});

describe('refundquery', () => {
  it('pages ten refunds at a time by order, honours the refund_id > out_refund_no > transaction_id > out_trade_no priority, refuses bad offsets', async () => {
    const outTradeNo = await paidOrder(1200);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await postHttps(
        `${emu.httpsUrl}/secapi/pay/refund`,
        refundXml(outTradeNo, { out_refund_no: `RQ${String(i).padStart(2, '0')}`, total_fee: 1200, refund_fee: 100 }),
        merchantTls(emu),
      );
      expect(res.fields.result_code).toBe('SUCCESS');
      ids.push(res.fields.refund_id!);
    }
    const query = (params: Record<string, string | number | undefined>) => payApi(emu, '/pay/refundquery', params);

    const first = await query({ out_trade_no: outTradeNo });
    expect(first.fields).toMatchObject({
      out_trade_no: outTradeNo,
      total_fee: '1200',
      refund_count: '10',
      total_refund_count: '12',
      out_refund_no_0: 'RQ00',
      out_refund_no_9: 'RQ09',
    });
    expect(first.fields.out_refund_no_10).toBeUndefined();
    expect(verify(first.fields, M.apiKey, 'MD5')).toBe(true);
    const rest = await query({ transaction_id: first.fields.transaction_id, offset: 10 });
    expect(rest.fields).toMatchObject({
      refund_count: '2',
      total_refund_count: '12',
      out_refund_no_0: 'RQ10',
      refund_id_1: ids[11],
      refund_fee_1: '100',
    });
    for (const offset of [12, -1, 'x', '1.0']) {
      expect((await query({ out_trade_no: outTradeNo, offset })).fields, String(offset)).toMatchObject({
        result_code: 'FAIL',
        err_code: 'PARAM_ERROR',
      });
    }

    const other = await paidOrder(300);
    // refund_id wins over out_refund_no, which wins over the order numbers.
    const byId = await query({ refund_id: ids[3], out_refund_no: 'RQ05', out_trade_no: other });
    expect(byId.fields).toMatchObject({ refund_count: '1', out_refund_no_0: 'RQ03', out_trade_no: outTradeNo });
    const byNo = await query({ out_refund_no: 'RQ05', out_trade_no: other });
    expect(byNo.fields).toMatchObject({ refund_count: '1', refund_id_0: ids[5] });
    expect((await query({ out_trade_no: other })).fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'REFUNDNOTEXIST',
    });
    expect((await query({})).fields).toMatchObject({ result_code: 'FAIL', err_code: 'LACK_PARAMS' });
  });
});

/** A certificate with the right CN but not issued by the emulator's CA. */
function selfSignedClientCert(cn: string): { cert: string; key: string } {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  cert.serialNumber = '0a';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3600_000);
  cert.setSubject([{ name: 'commonName', value: cn }]);
  cert.setIssuer([{ name: 'commonName', value: cn }]);
  cert.sign(key, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}
