/** JSAPI pay params builder: bad input is refused instead of producing params the page cannot pay with. */
import { describe, expect, it } from 'vitest';
import { buildJsapiPayParams, sign, verifyJsapiPayParams, type SignType } from '../src/index';

const KEY = '192006250b4c09247ec02edce69f6a2d';
const base = {
  appId: 'wx2421b1c4370ec43b',
  prepayId: 'wx201410272009395522657a690389285100',
  apiKey: KEY,
  signType: 'MD5' as const,
};

describe('buildJsapiPayParams input checks', () => {
  it('defaults give 10-digit seconds, a 32-char nonce and a verifiable paySign', () => {
    const p = buildJsapiPayParams(base);
    expect(p.timeStamp).toMatch(/^\d{10}$/);
    expect(p.nonceStr).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(p.package).toBe('prepay_id=wx201410272009395522657a690389285100');
    expect(verifyJsapiPayParams(p, KEY)).toBe(true);
  });

  it('refuses a prepay_id that already carries the prepay_id= prefix (never doubled)', () => {
    expect(() => buildJsapiPayParams({ ...base, prepayId: 'prepay_id=wx201410272009395522657a690389285100' })).toThrow(
      /bare prepay_id/,
    );
  });

  it('refuses an empty or odd prepay_id and an empty appId', () => {
    for (const prepayId of ['', 'wx1&signType=MD5', 'wx 1', 'x'.repeat(65)]) {
      expect(() => buildJsapiPayParams({ ...base, prepayId })).toThrow(/prepayId/);
    }
    expect(() => buildJsapiPayParams({ ...base, appId: '' })).toThrow(/appId/);
  });

  it('refuses millisecond and non-numeric timeStamps', () => {
    for (const timeStamp of ['1395712654000', '139571265', '1395712654.5', '', 'abcdefghij']) {
      expect(() => buildJsapiPayParams({ ...base, timeStamp })).toThrow(/timeStamp/);
    }
  });

  it('refuses a nonceStr that is empty, too long or would break the sign string', () => {
    for (const nonceStr of ['', 'a'.repeat(33), 'a&key=b']) {
      expect(() => buildJsapiPayParams({ ...base, nonceStr })).toThrow(/nonceStr/);
    }
  });

  it('refuses a sign type other than MD5 / HMAC-SHA256 instead of signing with MD5 under a wrong label', () => {
    for (const signType of ['md5', 'hmac-sha256', 'RSA', 'SHA1', '']) {
      expect(() => buildJsapiPayParams({ ...base, signType: signType as SignType })).toThrow(/signType/);
      expect(() => sign({ a: '1' }, KEY, signType as SignType)).toThrow(/signType/);
    }
  });
});
