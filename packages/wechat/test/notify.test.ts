/** Payment and refund notifications: authentic, forged and malformed. */
import { describe, expect, it } from 'vitest';
import {
  WechatNotifyError,
  WechatSignatureError,
  WechatXmlError,
  buildXml,
  encryptReqInfo,
  notifyReply,
  parsePayNotify,
  parseRefundNotify,
  parseXml,
  sign,
  type SignType,
} from '../src/index';

const KEY = '192006250b4c09247ec02edce69f6a2d';
const OTHER_KEY = 'ffffffffffffffffffffffffffffffff';
const opts = { appId: 'wx2421b1c4370ec43b', mchId: '10000100', apiKey: KEY };

const paid: Record<string, string> = {
  return_code: 'SUCCESS',
  appid: opts.appId,
  mch_id: opts.mchId,
  nonce_str: 'abcdef',
  result_code: 'SUCCESS',
  openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
  trade_type: 'JSAPI',
  bank_type: 'CFT',
  total_fee: '101',
  cash_fee: '101',
  transaction_id: '4200000000202401010000000001',
  out_trade_no: 'ORDER0001',
  time_end: '20240101120000',
};

function signedXml(fields: Record<string, string>, key = KEY, type: SignType = 'MD5'): string {
  return buildXml({ ...fields, sign: sign(fields, key, type) });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
}

describe('parsePayNotify', () => {
  it('accepts MD5 without sign_type and HMAC-SHA256 with or without sign_type', async () => {
    expect((await parsePayNotify(signedXml(paid), opts)).totalFee).toBe(101);
    expect(
      (await parsePayNotify(signedXml({ ...paid, sign_type: 'HMAC-SHA256' }, KEY, 'HMAC-SHA256'), opts)).cashFee,
    ).toBe(101);
    // No sign_type but a 64-char sign: chosen by length.
    expect((await parsePayNotify(signedXml(paid, KEY, 'HMAC-SHA256'), opts)).outTradeNo).toBe('ORDER0001');
  });

  it('verifies over unknown extra fields that were signed', async () => {
    const n = await parsePayNotify(signedXml({ ...paid, promotion_detail: '{"x":1}', coupon_id_0: 'c1' }), opts);
    expect(n.raw.coupon_id_0).toBe('c1');
    expect(n.attach).toBeUndefined();
  });

  it('rejects a forged notification signed with another key', async () => {
    expect(await rejection(parsePayNotify(signedXml(paid, OTHER_KEY), opts))).toBeInstanceOf(WechatSignatureError);
  });

  it('rejects a tampered amount and a field injected after signing', async () => {
    const xml = signedXml(paid);
    expect(
      await rejection(parsePayNotify(xml.replace('<![CDATA[101]]></total_fee>', '<![CDATA[1]]></total_fee>'), opts)),
    ).toBeInstanceOf(WechatSignatureError);
    expect(await rejection(parsePayNotify(xml.replace('</xml>', '<attach>x</attach></xml>'), opts))).toBeInstanceOf(
      WechatSignatureError,
    );
  });

  it('rejects a missing sign, a declared HMAC with an MD5 sign, lower-case md5 and odd sign lengths', async () => {
    expect(await rejection(parsePayNotify(buildXml(paid), opts))).toBeInstanceOf(WechatSignatureError);
    const hmacDeclared = { ...paid, sign_type: 'HMAC-SHA256' };
    expect(
      await rejection(parsePayNotify(buildXml({ ...hmacDeclared, sign: sign(hmacDeclared, KEY, 'MD5') }), opts)),
    ).toBeInstanceOf(WechatSignatureError);
    const lower = { ...paid, sign_type: 'md5' };
    expect(await rejection(parsePayNotify(buildXml({ ...lower, sign: sign(lower, KEY, 'MD5') }), opts))).toBeInstanceOf(
      WechatSignatureError,
    );
    expect(
      await rejection(parsePayNotify(buildXml({ ...paid, sign: sign(paid, KEY).slice(0, 31) }), opts)),
    ).toBeInstanceOf(WechatSignatureError);
  });

  it('rejects another merchant’s appid or mch_id even when correctly signed', async () => {
    const a = await rejection(parsePayNotify(signedXml({ ...paid, appid: 'wx0000000000000000' }), opts));
    expect(a).toBeInstanceOf(WechatNotifyError);
    expect(a.message).toBe('appid does not match');
    const m = await rejection(parsePayNotify(signedXml({ ...paid, mch_id: '99999999' }), opts));
    expect(m).toBeInstanceOf(WechatNotifyError);
    expect(m.message).toBe('mch_id does not match');
  });

  for (const bad of ['1.0', '-1', '1e2', '01', ' 1', 'abc', '9007199254740993']) {
    it(`rejects total_fee ${JSON.stringify(bad)}`, async () => {
      expect(await rejection(parsePayNotify(signedXml({ ...paid, total_fee: bad }), opts))).toBeInstanceOf(
        WechatNotifyError,
      );
    });
  }

  it('rejects an empty (hence absent) total_fee or cash_fee', async () => {
    expect(await rejection(parsePayNotify(signedXml({ ...paid, total_fee: '' }), opts))).toBeInstanceOf(
      WechatNotifyError,
    );
    expect(await rejection(parsePayNotify(signedXml({ ...paid, cash_fee: '' }), opts))).toBeInstanceOf(
      WechatNotifyError,
    );
  });

  it('accepts a zero cash_fee (fully paid by coupon)', async () => {
    expect((await parsePayNotify(signedXml({ ...paid, cash_fee: '0' }), opts)).cashFee).toBe(0);
  });

  it('requires return_code=SUCCESS and a known result_code', async () => {
    expect(await rejection(parsePayNotify(buildXml({ return_code: 'FAIL', return_msg: 'x' }), opts))).toBeInstanceOf(
      WechatNotifyError,
    );
    expect(await rejection(parsePayNotify(signedXml({ ...paid, result_code: 'MAYBE' }), opts))).toBeInstanceOf(
      WechatNotifyError,
    );
  });

  it('passes XML errors through and never leaks the key', async () => {
    expect(await rejection(parsePayNotify('<!DOCTYPE x SYSTEM "file:///etc/passwd"><xml/>', opts))).toBeInstanceOf(
      WechatXmlError,
    );
    for (const body of [signedXml(paid, OTHER_KEY), signedXml({ ...paid, appid: 'wx0' })]) {
      const err = await rejection(parsePayNotify(body, opts));
      expect(err.message).not.toContain(KEY);
    }
  });
});

describe('parseRefundNotify', () => {
  const inner = {
    transaction_id: '4200000000202401010000000001',
    out_trade_no: 'ORDER0001',
    refund_id: '50300000000000000000000000001',
    out_refund_no: 'R0001',
    total_fee: '101',
    refund_fee: '50',
    refund_status: 'SUCCESS',
    success_time: '2024-01-01 12:05:00',
  };
  const outer = (reqInfo: string, extra: Record<string, string> = {}) =>
    buildXml({
      return_code: 'SUCCESS',
      appid: opts.appId,
      mch_id: opts.mchId,
      nonce_str: 'n',
      req_info: reqInfo,
      ...extra,
    });

  it('decrypts and maps a refund notification', async () => {
    const n = await parseRefundNotify(outer(encryptReqInfo(buildXml(inner, 'root'), KEY)), opts);
    expect(n).toEqual({
      outTradeNo: 'ORDER0001',
      transactionId: '4200000000202401010000000001',
      outRefundNo: 'R0001',
      refundId: '50300000000000000000000000001',
      totalFee: 101,
      refundFee: 50,
      refundStatus: 'SUCCESS',
      successTime: '2024-01-01 12:05:00',
      raw: inner,
    });
  });

  it('rejects garbage, non-base64, wrong-key and missing req_info as WechatSignatureError', async () => {
    const cases = [
      outer('bm90IGVuY3J5cHRlZCBhdCBhbGw='),
      outer('!!!not base64!!!'),
      outer(Buffer.alloc(64, 7).toString('base64')),
      outer(encryptReqInfo(buildXml(inner, 'root'), OTHER_KEY)),
      outer(encryptReqInfo('not xml at all', KEY)),
      outer(encryptReqInfo(buildXml(inner), KEY)), // <xml> instead of <root>
      buildXml({ return_code: 'SUCCESS', appid: opts.appId, mch_id: opts.mchId }),
    ];
    for (const body of cases)
      expect(await rejection(parseRefundNotify(body, opts))).toBeInstanceOf(WechatSignatureError);
  });

  it('rejects another merchant, a missing refund_status and a bad fee', async () => {
    const reqInfo = encryptReqInfo(buildXml(inner, 'root'), KEY);
    expect(await rejection(parseRefundNotify(outer(reqInfo, { appid: 'wx0' }), opts))).toBeInstanceOf(
      WechatNotifyError,
    );
    expect(await rejection(parseRefundNotify(outer(reqInfo, { mch_id: '1' }), opts))).toBeInstanceOf(WechatNotifyError);
    const noStatus = encryptReqInfo(buildXml({ ...inner, refund_status: '' }, 'root'), KEY);
    const missing = await rejection(parseRefundNotify(outer(noStatus), opts));
    expect(missing).toBeInstanceOf(WechatNotifyError);
    expect(missing.message).toBe('missing refund_status');
    const badFee = encryptReqInfo(buildXml({ ...inner, refund_fee: '0.5' }, 'root'), KEY);
    expect(await rejection(parseRefundNotify(outer(badFee), opts))).toBeInstanceOf(WechatNotifyError);
  });

  it('passes an unknown refund_status through as UNKNOWN with rawStatus, other fields still checked', async () => {
    for (const odd of ['PROCESSING', 'REFUND_PENDING_NEW', 'success']) {
      const n = await parseRefundNotify(
        outer(encryptReqInfo(buildXml({ ...inner, refund_status: odd }, 'root'), KEY)),
        opts,
      );
      expect(n.refundStatus).toBe('UNKNOWN');
      expect(n.rawStatus).toBe(odd);
      expect(n.outRefundNo).toBe('R0001');
      expect(n.refundFee).toBe(50);
      expect(n.raw.refund_status).toBe(odd);
    }
    const oddAndBadFee = encryptReqInfo(buildXml({ ...inner, refund_status: 'NEW', refund_fee: 'x' }, 'root'), KEY);
    expect(await rejection(parseRefundNotify(outer(oddAndBadFee), opts))).toBeInstanceOf(WechatNotifyError);
  });

  it('sets rawStatus only for an unknown refund_status', async () => {
    for (const known of ['SUCCESS', 'CHANGE', 'REFUNDCLOSE']) {
      const n = await parseRefundNotify(
        outer(encryptReqInfo(buildXml({ ...inner, refund_status: known }, 'root'), KEY)),
        opts,
      );
      expect(n.refundStatus).toBe(known);
      expect('rawStatus' in n).toBe(false);
    }
  });

  it('requires return_code=SUCCESS', async () => {
    expect(await rejection(parseRefundNotify(buildXml({ return_code: 'FAIL' }), opts))).toBeInstanceOf(
      WechatNotifyError,
    );
  });
});

describe('notifyReply', () => {
  it('builds the exact SUCCESS reply', () => {
    expect(notifyReply(true)).toBe(
      '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>',
    );
  });
  it('builds a FAIL reply carrying the reason, safely escaped', async () => {
    expect(await parseXml(notifyReply(false, 'sign does not verify ]]> <x>'))).toEqual({
      return_code: 'FAIL',
      return_msg: 'sign does not verify ]]> <x>',
    });
  });
});
