/** The error family: one root, and fields saying whether WeChat refused or the outcome is unknown, and whose fault. */
import { describe, expect, it } from 'vitest';
import {
  WechatBillError,
  WechatError,
  WechatNotifyError,
  WechatOAuthError,
  WechatPayBusinessError,
  WechatPayCommunicationError,
  WechatPayResponseError,
  WechatSignatureError,
  WechatTransportError,
  WechatXmlError,
  buildXml,
  isPayRefusal,
  parsePayNotify,
  parseXml,
  type WechatErrorSource,
  type WechatOutcome,
} from '../src/index';

const failures: [WechatError, WechatOutcome, WechatErrorSource][] = [
  [new WechatPayCommunicationError('签名错误'), 'refused', 'upstream'],
  [new WechatPayBusinessError('NOTENOUGH', '余额不足'), 'refused', 'upstream'],
  [new WechatPayBusinessError('ORDERPAID', '该订单已支付'), 'refused', 'upstream'],
  [new WechatPayBusinessError('SYSTEMERROR', '系统超时'), 'unknown', 'upstream'],
  [new WechatPayBusinessError('BIZERR_NEED_RETRY', '需要重试'), 'unknown', 'upstream'],
  [new WechatPayResponseError('malformed response: missing refund_id'), 'unknown', 'upstream'],
  [new WechatSignatureError('response sign does not verify', 'upstream'), 'unknown', 'upstream'],
  [new WechatXmlError('malformed XML', 'MALFORMED', 'upstream'), 'unknown', 'upstream'],
  [new WechatTransportError('timeout'), 'unknown', 'upstream'],
  [new WechatBillError('the summary row does not match its header', 12), 'unknown', 'upstream'],
  [new WechatOAuthError(40029, 'invalid code'), 'refused', 'upstream'],
  [new WechatSignatureError('sign does not verify', 'inbound'), 'refused', 'inbound'],
  [new WechatXmlError('malformed XML', 'MALFORMED', 'inbound'), 'refused', 'inbound'],
  [new WechatNotifyError('appid does not match'), 'refused', 'inbound'],
  [new WechatXmlError('field <a> contains a carriage return', 'INVALID_CHAR', 'local'), 'refused', 'local'],
];

describe('one WechatError family', () => {
  it.each(failures)('%s → outcome %s, source %s', (err, outcome, source) => {
    expect(err).toBeInstanceOf(WechatError);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe(err.constructor.name);
    expect({ outcome: err.outcome, source: err.source }).toEqual({ outcome, source });
  });

  it('isPayRefusal is true only when WeChat definitely did not do it', () => {
    for (const [err, outcome, source] of failures) {
      expect([err.message, isPayRefusal(err)]).toEqual([err.message, outcome === 'refused' && source === 'upstream']);
    }
    expect(isPayRefusal(new Error('bug'))).toBe(false);
    const refusalAfterUnknown = new WechatTransportError('refused on retry', undefined, { cause: failures[0]![0] });
    expect(isPayRefusal(refusalAfterUnknown)).toBe(false);
  });

  it('parseXml blames the sender of a message posted to us, unless told it is WeChat’s answer', async () => {
    await expect(parseXml('<xml><a>')).rejects.toMatchObject({ source: 'inbound', outcome: 'refused' });
    await expect(parseXml('<xml><a>', { source: 'upstream' })).rejects.toMatchObject({
      source: 'upstream',
      outcome: 'unknown',
    });
    await expect(parseXml('x'.repeat(10), { maxBytes: 5, source: 'upstream' })).rejects.toMatchObject({
      reason: 'TOO_LARGE',
      source: 'upstream',
    });
  });

  it('buildXml refuses a value XML cannot carry as a local failure: nothing was sent', () => {
    const local = expect.objectContaining({ source: 'local', outcome: 'refused', reason: 'INVALID_CHAR' });
    expect(() => buildXml({ body: 'a\u0001b' })).toThrow(local);
  });

  it('a forged notification is the sender’s bad input, refused, never an upstream failure', async () => {
    const merchant = { appId: 'wx2421b1c4370ec43b', mchId: '10000100', apiKey: '192006250b4c09247ec02edce69f6a2d' };
    const { appId: appid, mchId: mch_id } = merchant;
    const forged = buildXml({ return_code: 'SUCCESS', appid, mch_id, sign: 'F'.repeat(32) });
    for (const body of [forged, '<xml><return_code>SUCC', '<html></html>']) {
      const err = await parsePayNotify(body, merchant).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(WechatError);
      expect(err).toMatchObject({ source: 'inbound', outcome: 'refused' });
    }
  });
});
