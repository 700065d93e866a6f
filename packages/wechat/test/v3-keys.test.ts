/** v3 key loading, the key ring's selection by serial, and /v3/certificates decryption. */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  WechatV3SignatureError,
  WechatpayKeyRing,
  apiV3KeyBytes,
  decryptCertificates,
  encryptCertificateEntry,
  isKeyPair,
  loadPrivateKey,
  loadPublicKey,
} from '../src/index';
import { issuePlatformCert } from './helpers/v3-certs';
import {
  MERCHANT_PRIVATE_KEY,
  MERCHANT_PUBLIC_KEY,
  PLATFORM_PRIVATE_KEY,
  PLATFORM_PUBLIC_KEY,
} from './helpers/v3-keys';

const API_V3_KEY = 'vYx7Kq2Lm9Tn4Rb8Zc6Wd1Fh3Jp5Gs0A';

describe('key loading', () => {
  it('refuses what is not an RSA key, without echoing it', () => {
    const garbage = '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----';
    expect(() => loadPrivateKey(garbage)).toThrow(/^loadPrivateKey: not a PEM private key$/);
    expect(() => loadPublicKey('secret-looking-text')).toThrow(/^loadPublicKey: not a PEM public key or certificate$/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => loadPrivateKey(ec.privateKey)).toThrow(/RSA key is required/);
    expect(() => loadPublicKey(loadPrivateKey(MERCHANT_PRIVATE_KEY))).toThrow(/public KeyObject/);
  });

  it('takes the public key out of a certificate; isKeyPair tells matching halves apart', () => {
    const issued = issuePlatformCert('01AB', PLATFORM_PRIVATE_KEY);
    const fromCert = loadPublicKey(issued.cert);
    expect(fromCert.export({ type: 'spki', format: 'pem' })).toBe(PLATFORM_PUBLIC_KEY);
    expect(isKeyPair(loadPrivateKey(MERCHANT_PRIVATE_KEY), loadPublicKey(MERCHANT_PUBLIC_KEY))).toBe(true);
    expect(isKeyPair(loadPrivateKey(MERCHANT_PRIVATE_KEY), fromCert)).toBe(false);
  });

  it('the APIv3 key must be 32 bytes', () => {
    expect(apiV3KeyBytes(API_V3_KEY)).toHaveLength(32);
    expect(() => apiV3KeyBytes('short')).toThrow(/exactly 32 bytes/);
    expect(() => apiV3KeyBytes('密'.repeat(11))).toThrow(/exactly 32 bytes/);
  });
});

describe('WechatpayKeyRing', () => {
  it('a certificate past its expiry selects nothing', () => {
    const expired = issuePlatformCert('0A0B0C', undefined, -30_000);
    const ring = new WechatpayKeyRing().addCertificate(expired.cert);
    expect(ring.certificateSerials).toEqual(['A0B0C']);
    expect(ring.find('0A0B0C', new Date(Date.now() - 3600_000))).toBeDefined();
    expect(ring.find('0A0B0C')).toBeUndefined();
  });

  it('replaceCertificates keeps the public key and drops the old certificates', () => {
    const old = issuePlatformCert('1111');
    const next = issuePlatformCert('2222');
    const ring = new WechatpayKeyRing().addPublicKey('PUB_KEY_ID_01', PLATFORM_PUBLIC_KEY).addCertificate(old.cert);
    const answer = { data: [encryptCertificateEntry(next.cert, API_V3_KEY, 'n0nce0000001')] };
    ring.replaceCertificates(decryptCertificates(answer, API_V3_KEY));
    expect(ring.find('1111')).toBeUndefined();
    expect(ring.find('2222')).toBeDefined();
    expect(ring.find('PUB_KEY_ID_01')).toBeDefined();
    expect(() => ring.addPublicKey('01AB', PLATFORM_PUBLIC_KEY)).toThrow(/PUB_KEY_ID_/);
  });
});

describe('decryptCertificates', () => {
  const cert = issuePlatformCert('5157F09EFDC096DE15EBE81A47057A7232F1B8E1');
  const entry = encryptCertificateEntry(cert.cert, API_V3_KEY, 'abcdefabcdef');

  it('decrypts with associated_data "certificate" and reads the serial', () => {
    const [parsed] = decryptCertificates({ data: [entry] }, API_V3_KEY);
    expect(parsed?.serialNo).toBe('5157F09EFDC096DE15EBE81A47057A7232F1B8E1');
  });

  it("another APIv3 key, a listed serial that is not the certificate's, or no data → WechatV3SignatureError", () => {
    const reason = (run: () => unknown) => {
      try {
        run();
      } catch (err) {
        expect(err).toBeInstanceOf(WechatV3SignatureError);
        return (err as WechatV3SignatureError).reason;
      }
      return 'no throw';
    };
    expect(reason(() => decryptCertificates({ data: [entry] }, 'B'.repeat(32)))).toBe('DECRYPT_FAILED');
    const mislabelled = { data: [{ ...entry, serial_no: '1234' }] };
    expect(reason(() => decryptCertificates(mislabelled, API_V3_KEY))).toBe('BAD_SIGNATURE');
    expect(reason(() => decryptCertificates({}, API_V3_KEY))).toBe('DECRYPT_FAILED');
  });
});
