/** Test vectors of /work/shared/wechat-protocol.md §12 (V1–V8). */
import { describe, expect, it } from 'vitest';
import {
  buildJsapiPayParams,
  buildXml,
  decryptReqInfo,
  encryptReqInfo,
  jssdkSignString,
  jssdkSignature,
  parsePayNotify,
  parseRefundNotify,
  sign,
  signString,
  verify,
  verifyJsapiPayParams,
} from '../src/index';

const KEY = '192006250b4c09247ec02edce69f6a2d';

describe('V1/V2 official v2 sign (安全规范)', () => {
  const params = {
    appid: 'wxd930ea5d5a258f4f',
    mch_id: '10000100',
    device_info: '1000',
    body: 'test',
    nonce_str: 'ibuaiVcKdpRxkhJA',
  };

  it('builds the exact stringSignTemp', () => {
    expect(signString(params, KEY)).toBe(
      'appid=wxd930ea5d5a258f4f&body=test&device_info=1000&mch_id=10000100&nonce_str=ibuaiVcKdpRxkhJA&key=192006250b4c09247ec02edce69f6a2d',
    );
  });
  it('V1 MD5', () => {
    expect(sign(params, KEY, 'MD5')).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
    expect(sign(params, KEY)).toBe('9A0A8659F005D6984697E2CA0A9CF3B7');
  });
  it('V2 HMAC-SHA256', () => {
    expect(sign(params, KEY, 'HMAC-SHA256')).toBe('6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6');
  });
});

describe('V3 official JS-SDK wx.config signature', () => {
  const input = {
    jsapiTicket: 'sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg',
    nonceStr: 'Wm3WZYTPz0wzccnW',
    timestampSeconds: 1414587457,
  };

  it('builds the exact string1 and its SHA-1 (current doc revision)', () => {
    const url = 'http://mp.weixin.qq.com?params=value';
    expect(jssdkSignString({ ...input, url })).toBe(
      'jsapi_ticket=sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg' +
        '&noncestr=Wm3WZYTPz0wzccnW&timestamp=1414587457&url=http://mp.weixin.qq.com?params=value',
    );
    expect(jssdkSignature({ ...input, url })).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });
  it('older doc revision (url without a query)', () => {
    expect(jssdkSignature({ ...input, url: 'http://mp.weixin.qq.com' })).toBe(
      'f4d90daf4b3bca3078ab155816175ba34c443a7b',
    );
  });
  it('the #fragment is not signed', () => {
    const url = 'http://mp.weixin.qq.com?params=value#/cart?x=1';
    expect(jssdkSignature({ ...input, url })).toBe('0f9de62fce790f9a083d5c99e95740ceb90c27ed');
  });
});

describe('V4 JSAPI paySign', () => {
  const base = {
    appId: 'wx2421b1c4370ec43b',
    prepayId: 'wx201410272009395522657a690389285100',
    apiKey: KEY,
    timeStamp: '1395712654',
    nonceStr: 'e61463f8efa94090b1f366cccfbbb444',
  };
  it('MD5', () => {
    const p = buildJsapiPayParams({ ...base, signType: 'MD5' });
    expect(p).toEqual({
      appId: 'wx2421b1c4370ec43b',
      timeStamp: '1395712654',
      nonceStr: 'e61463f8efa94090b1f366cccfbbb444',
      package: 'prepay_id=wx201410272009395522657a690389285100',
      signType: 'MD5',
      paySign: '05F30DD446ED1AFB88D72F6A0F93BAE7',
    });
    expect(
      signString(
        { appId: p.appId, timeStamp: p.timeStamp, nonceStr: p.nonceStr, package: p.package, signType: p.signType },
        KEY,
      ),
    ).toBe(
      'appId=wx2421b1c4370ec43b&nonceStr=e61463f8efa94090b1f366cccfbbb444&package=prepay_id=wx201410272009395522657a690389285100&signType=MD5&timeStamp=1395712654&key=192006250b4c09247ec02edce69f6a2d',
    );
    expect(verifyJsapiPayParams(p, KEY)).toBe(true);
    expect(verifyJsapiPayParams({ ...p, timeStamp: '1395712655' }, KEY)).toBe(false);
  });
  it('HMAC-SHA256', () => {
    const p = buildJsapiPayParams({ ...base, signType: 'HMAC-SHA256' });
    expect(p.paySign).toBe('D3C8EC2BB7A501F85B7FE93E298F4CD23C7E8D90F37DF45D716DF18AE7B65F72');
    expect(verifyJsapiPayParams(p, KEY)).toBe(true);
    expect(verifyJsapiPayParams({ ...p, signType: 'MD5' }, KEY)).toBe(false);
  });
});

describe('V5 unifiedorder request', () => {
  const params = {
    appid: 'wx2421b1c4370ec43b',
    mch_id: '10000100',
    nonce_str: '1add1a30ac87aa2db72f57a2375d8fec',
    body: 'JSAPI支付测试',
    attach: '支付测试',
    out_trade_no: '1415659990',
    total_fee: 1,
    spbill_create_ip: '14.23.150.211',
    notify_url: 'https://example.com/wxpay/notify',
    trade_type: 'JSAPI',
    openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    device_info: '',
  };
  it('MD5 with sign_type included and empty device_info skipped', () => {
    const md5 = { ...params, sign_type: 'MD5' };
    expect(signString(md5, KEY)).toBe(
      'appid=wx2421b1c4370ec43b&attach=支付测试&body=JSAPI支付测试&mch_id=10000100&nonce_str=1add1a30ac87aa2db72f57a2375d8fec&notify_url=https://example.com/wxpay/notify&openid=oUpF8uMuAJO_M2pxb1Q9zNjWeS6o&out_trade_no=1415659990&sign_type=MD5&spbill_create_ip=14.23.150.211&total_fee=1&trade_type=JSAPI&key=192006250b4c09247ec02edce69f6a2d',
    );
    expect(sign(md5, KEY, 'MD5')).toBe('CA88B4F74D822DB646092B1CFB86C56A');
  });
  it('HMAC-SHA256', () => {
    expect(sign({ ...params, sign_type: 'HMAC-SHA256' }, KEY, 'HMAC-SHA256')).toBe(
      'D92D294909BFE94A3A8EFDAA7FE72C6D2466038BDFA7BC307E3BF55381D2CC2B',
    );
  });
});

const V6_FIELDS = {
  appid: 'wx2421b1c4370ec43b',
  attach: '支付测试',
  bank_type: 'CFT',
  cash_fee: '1',
  fee_type: 'CNY',
  is_subscribe: 'Y',
  mch_id: '10000100',
  nonce_str: '5d2b6c2a8db53831f7eda20af46e531c',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  out_trade_no: '1415659990',
  result_code: 'SUCCESS',
  return_code: 'SUCCESS',
  time_end: '20140903131540',
  total_fee: '1',
  trade_type: 'JSAPI',
  transaction_id: '1004400740201409030005092168',
};
const V6_SIGN = '7AF1219C7CB8C94E46FDD0B5A18D6ACD';

describe('V6 payment notification', () => {
  it('signs to the vector value', () => {
    expect(sign(V6_FIELDS, KEY, 'MD5')).toBe(V6_SIGN);
    expect(verify({ ...V6_FIELDS, sign: V6_SIGN }, KEY)).toBe(true);
  });
  it('parsePayNotify accepts the V6 XML body (mixed CDATA and bare numbers)', async () => {
    const xml =
      '<xml><appid><![CDATA[wx2421b1c4370ec43b]]></appid><attach><![CDATA[支付测试]]></attach><bank_type><![CDATA[CFT]]></bank_type>' +
      '<cash_fee>1</cash_fee><fee_type><![CDATA[CNY]]></fee_type><is_subscribe><![CDATA[Y]]></is_subscribe><mch_id><![CDATA[10000100]]></mch_id>' +
      '<nonce_str><![CDATA[5d2b6c2a8db53831f7eda20af46e531c]]></nonce_str><openid><![CDATA[oUpF8uMuAJO_M2pxb1Q9zNjWeS6o]]></openid>' +
      '<out_trade_no><![CDATA[1415659990]]></out_trade_no><result_code><![CDATA[SUCCESS]]></result_code><return_code><![CDATA[SUCCESS]]></return_code>' +
      `<sign><![CDATA[${V6_SIGN}]]></sign><time_end><![CDATA[20140903131540]]></time_end><total_fee>1</total_fee>` +
      '<trade_type><![CDATA[JSAPI]]></trade_type><transaction_id><![CDATA[1004400740201409030005092168]]></transaction_id></xml>';
    const n = await parsePayNotify(xml, { appId: 'wx2421b1c4370ec43b', mchId: '10000100', apiKey: KEY });
    expect(n).toEqual({
      appId: 'wx2421b1c4370ec43b',
      mchId: '10000100',
      outTradeNo: '1415659990',
      transactionId: '1004400740201409030005092168',
      totalFee: 1,
      cashFee: 1,
      openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
      tradeType: 'JSAPI',
      resultCode: 'SUCCESS',
      timeEnd: '20140903131540',
      attach: '支付测试',
      raw: { ...V6_FIELDS, sign: V6_SIGN },
    });
  });
});

export const V7 = {
  apiKey: 'OF4Ne3znh8KqL0V4NqmALQa0uXMYKcEk',
  appId: 'wx4f4bc4dec97d474b',
  mchId: '12345678',
  reqInfo:
    '51A27s9LxbaEv52nBOrqa0FCs3HVIM31Wc3BpNqSCP5MQlS8HL1Vl7mZ21043B7PZy7adtOZGtZv44lGl0U8JXlVFL4Ltxsw6+pACjZBB0Qi1LUDjFlP2IyTxYX4eC57kxnCphDdIyRkU67kOWW/HN/efggTUlaPJkoL5kVe9Y1MZF55IHR4lwGI7WtVLtxATX1tkAVZF+/ri0WlPXo9+GkqeB2/id6Ozw09Tqp8C/TKbmKBpRhTCRU2TzfQoLa6fjbgETFHJ795aEMyUZPQYbbsz6U9Rj9lUzEh8+Oc8KYTXa9zVk+nnFr82+yjffb3d36ylTe0y/VmYf90rf9cbiJQdM00zZ8Qa99SlMTs2wjOO4Mi4Btlg1PebsLF8TkqbSZkRJDGs61UunUB8Km1b/VeBxXuv4D3H7DiVZ9Fj7lq2j07zFDpxxlhhen7kZvMWWO3lrfFpA9c4eFOqfF9SxcU9nBmHfDD1g/dsrMl6+a71xQHJ/gn80fZOefUBv92ggqutsuJ4gd4OqkmO0XUs8e4XQyLpra+LvpmahsU5lBIZuQcMq3FHrqe8hXTfp3+3qym2wGfvPI75jx41VZwmBQy9izB1Id+A5lUeXC5QJy+ryDu/dWkhB+aMjkElaI/Epmcc/IEPaI73W6Hc58hNednOM536rPnn+GDc98PdGszpLTjmaZSu8dtqwPaym66yRqFQowzFoBbooik57iHUFBCeWya7XcXYL9WKhRF3uIZM+Kfv9/Zs2pF+w9/EJpltuzPpT1GP2VTMSHz45zwphFlS2lX8wHyZ+k9n2dptzQqpOCPedt5iQAmAe1oNQMxNdPDH9g68x9UzWD1kfK/dPO+3NPAh0XG+io4x15fIknNf7JLjpAuWicMMzCdwC4hhqeYOzQ+pC9f2xJXi5YViNKIZY69oO8eoHYRitLZrHLgx3oB2zimmqX6BI+DMklKAzAqqgGmbFxcVTvxZB6cMCx+H7TTWXnjAG+6A3SrCcxg0l5+UB93pkAYR7SVJ+VaZoiBqlqnZvb7IM17n9XaaFntlzvbbFCIa7OnOQb5Lvw=',
  plain: [
    '<root>',
    '<out_refund_no><![CDATA[1234]]></out_refund_no>',
    '<out_trade_no><![CDATA[2020010418301551404339261814]]></out_trade_no>',
    '<refund_account><![CDATA[REFUND_SOURCE_RECHARGE_FUNDS]]></refund_account>',
    '<refund_fee><![CDATA[1]]></refund_fee>',
    '<refund_id><![CDATA[50300103182020010413419046597]]></refund_id>',
    '<refund_recv_accout><![CDATA[招商银行信用卡8915]]></refund_recv_accout>',
    '<refund_request_source><![CDATA[API]]></refund_request_source>',
    '<refund_status><![CDATA[SUCCESS]]></refund_status>',
    '<settlement_refund_fee><![CDATA[1]]></settlement_refund_fee>',
    '<settlement_total_fee><![CDATA[1]]></settlement_total_fee>',
    '<success_time><![CDATA[2020-01-04 18:34:24]]></success_time>',
    '<total_fee><![CDATA[1]]></total_fee>',
    '<transaction_id><![CDATA[4200000483202001042069747825]]></transaction_id>',
    '</root>',
  ].join('\n'),
};

describe('V7 refund req_info (wechatpy vector)', () => {
  it('decrypts to the exact XML', () => {
    expect(decryptReqInfo(V7.reqInfo, V7.apiKey)).toBe(V7.plain);
  });
  it('re-encrypts to the same base64 (ECB is deterministic)', () => {
    expect(encryptReqInfo(V7.plain, V7.apiKey)).toBe(V7.reqInfo);
  });
  it('parseRefundNotify reads it', async () => {
    const body = buildXml({
      return_code: 'SUCCESS',
      appid: V7.appId,
      mch_id: V7.mchId,
      nonce_str: 'abc',
      req_info: V7.reqInfo,
    });
    const n = await parseRefundNotify(body, { appId: V7.appId, mchId: V7.mchId, apiKey: V7.apiKey });
    expect(n).toMatchObject({
      outTradeNo: '2020010418301551404339261814',
      transactionId: '4200000483202001042069747825',
      outRefundNo: '1234',
      refundId: '50300103182020010413419046597',
      totalFee: 1,
      refundFee: 1,
      refundStatus: 'SUCCESS',
      successTime: '2020-01-04 18:34:24',
    });
    expect(n.raw.refund_recv_accout).toBe('招商银行信用卡8915');
  });
});

describe('V8 refund req_info (self-computed)', () => {
  const plain =
    '<root><out_refund_no><![CDATA[R20240101001]]></out_refund_no><out_trade_no><![CDATA[1415659990]]></out_trade_no><refund_fee><![CDATA[1]]></refund_fee><refund_status><![CDATA[SUCCESS]]></refund_status><success_time><![CDATA[2024-01-01 12:00:00]]></success_time><total_fee><![CDATA[1]]></total_fee></root>';
  const reqInfo =
    'WBzGpzQuNpcFxIlFjUUD9BfnwwNUlVAs7bwvgHME4/QkreGFkEmfsl6yfO9gIC7hjGWrkvWnE43GfLJKmHP/eG0/OzOYIOgiSnagAjbdzc+NK+HoDLYvGYgavP1kQBaCZnLcqgP/V+qLnVDWXwekZ6G+otF8m3pS3O4btqBgjQZulLJezp+DZ1aRak9n/fwlBTUEaZWd6pYw+c1YV4lT57rO4wZDF5SwkOt7MIFNUaladrdy0yQefoW3LYmmUmF35mtjnc6Dht57yhBsLmwQlq2n1DE+l5m0vWrQdy+h4eWSZeB+LH4opk+g8RRXEFdMGlvSeuuYj9mqPtc8I99gFtHfqkH5IDAev2MXLMk/u9rZYu8ZR/kONZrKQUQ2u7exzXyp/dTdFPK+uRBH9fFq2A==';
  it('encrypts to the vector and decrypts back', () => {
    expect(encryptReqInfo(plain, KEY)).toBe(reqInfo);
    expect(decryptReqInfo(reqInfo, KEY)).toBe(plain);
  });
  it('does not decrypt with another key', () => {
    expect(() => decryptReqInfo(reqInfo, V7.apiKey)).toThrow();
  });
});
