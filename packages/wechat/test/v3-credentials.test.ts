/** checkV3Credentials: each start-up mistake named, never echoing a secret. */
import { describe, expect, it } from 'vitest';
import { checkV3Credentials, type V3Credentials } from '../src/index';
import { issuePlatformCert } from './helpers/v3-certs';
import { MERCHANT_PRIVATE_KEY, PLATFORM_PRIVATE_KEY, PLATFORM_PUBLIC_KEY } from './helpers/v3-keys';

const merchantCert = issuePlatformCert('1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C', MERCHANT_PRIVATE_KEY);
const good: V3Credentials = {
  mchId: '1230000109',
  merchantSerialNo: '1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C',
  merchantPrivateKey: MERCHANT_PRIVATE_KEY,
  merchantCertificate: merchantCert.cert,
  apiV3Key: 'vYx7Kq2Lm9Tn4Rb8Zc6Wd1Fh3Jp5Gs0A',
  wechatpayPublicKey: { id: 'PUB_KEY_ID_0114232134912410000000000000', key: PLATFORM_PUBLIC_KEY },
};

describe('checkV3Credentials', () => {
  it('accepts a consistent set, in public-key, platform-certificate or both modes', () => {
    expect(checkV3Credentials(good)).toEqual([]);
    expect(checkV3Credentials({ ...good, wechatpayPublicKey: undefined, platformCertificates: true })).toEqual([]);
    expect(checkV3Credentials({ ...good, merchantSerialNo: good.merchantSerialNo.toLowerCase() })).toEqual([]);
  });

  it.each([
    ['a short APIv3 key', { apiV3Key: 'short' }, /^apiV3Key must be exactly 32 bytes/],
    [
      'a private key that is not PEM',
      { merchantPrivateKey: 'nope' },
      /^merchantPrivateKey must be the PEM RSA private key/,
    ],
    [
      'another private key',
      { merchantPrivateKey: PLATFORM_PRIVATE_KEY },
      /^merchantPrivateKey does not belong to merchantCertificate$/,
    ],
    [
      'another serial',
      { merchantSerialNo: '2DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C' },
      /^merchantSerialNo is not the serial of/,
    ],
    [
      'a serial that is not hex',
      { merchantSerialNo: 'not-hex' },
      /^merchantSerialNo must be the merchant API certificate serial/,
    ],
    [
      'a certificate that is not PEM',
      { merchantCertificate: 'garbage' },
      /^merchantCertificate must be a PEM certificate/,
    ],
    ['a mchId that is not digits', { mchId: 'abc' }, /^mchId must be/],
    [
      'a public key id without PUB_KEY_ID_',
      { wechatpayPublicKey: { id: 'KEY', key: PLATFORM_PUBLIC_KEY } },
      /^wechatpayPublicKey id must look like/,
    ],
    [
      'a public key that is not PEM',
      { wechatpayPublicKey: { id: 'PUB_KEY_ID_01', key: 'x' } },
      /^wechatpayPublicKey must be the PEM public key/,
    ],
    ['no verification mode', { wechatpayPublicKey: undefined }, /^configure a WeChat Pay public key/],
  ] as [string, Partial<V3Credentials>, RegExp][])('%s → one named problem', (_label, change, expected) => {
    const problems = checkV3Credentials({ ...good, ...change });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
    expect(problems[0]).not.toContain(good.apiV3Key);
  });

  it('reports every problem at once, without key material', () => {
    const problems = checkV3Credentials({ ...good, apiV3Key: 'secret-but-short', merchantPrivateKey: 'x', mchId: '' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).not.toMatch(/secret-but-short|BEGIN/);
  });
});
