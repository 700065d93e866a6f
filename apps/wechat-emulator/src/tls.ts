/** The committed test PKI (certs/), loaded once, and a client (API) certificate for each merchant. */
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CERT_MCH_ID, issueMerchantCert, type Pem } from './pki';

interface TestCerts {
  caCert: string;
  serverCert: string;
  serverKey: string;
  merchantCert: string;
  merchantKey: string;
  /** API v3: the platform certificate and its key, and the WeChat Pay public key pair (public-key mode). */
  platformCert: string;
  platformKey: string;
  wechatpayPublicKey: string;
  wechatpayPublicKeyPrivate: string;
}

const CERTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'certs');

export function loadCerts(dir = CERTS_DIR): TestCerts {
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    caCert: read('ca.pem'),
    serverCert: read('server.pem'),
    serverKey: read('server-key.pem'),
    merchantCert: read('merchant.pem'),
    merchantKey: read('merchant-key.pem'),
    platformCert: read('platform.pem'),
    platformKey: read('platform-key.pem'),
    wechatpayPublicKey: read('wechatpay-public-key.pem'),
    wechatpayPublicKeyPrivate: read('wechatpay-public-key-private.pem'),
  };
}

function commonName(pem: string): string | undefined {
  return new X509Certificate(pem).subject
    .split('\n')
    .find((line) => line.startsWith('CN='))
    ?.slice('CN='.length);
}

/** Certificates issued in memory, once per process for each certs dir and mch_id (RSA keys take a while). */
const issued = new Map<string, Pem>();

/**
 * Resolves a merchant's API client certificate (CN = mch_id), in this order: the committed
 * merchant.pem when its CN is that mch_id; certs/merchant-<mch_id>.pem written by the certs script
 * (so a BFF in another process can use the same files); otherwise one issued now under the test CA
 * (certs/ca-key.pem) and kept in memory.
 */
export function merchantCerts(pki: TestCerts, dir = CERTS_DIR): (mchId: string) => Pem {
  const defaultMchId = commonName(pki.merchantCert);
  const ca = new X509Certificate(pki.caCert);
  return (mchId) => {
    if (mchId === defaultMchId) return { cert: pki.merchantCert, key: pki.merchantKey };
    if (!CERT_MCH_ID.test(mchId)) throw new Error(`mch_id ${JSON.stringify(mchId)} cannot name a client certificate`);
    const file = join(dir, `merchant-${mchId}.pem`);
    if (existsSync(file)) {
      const pem = {
        cert: readFileSync(file, 'utf8'),
        key: readFileSync(join(dir, `merchant-${mchId}-key.pem`), 'utf8'),
      };
      // A file left from an older CA would fail every TLS handshake with a less helpful message.
      if (!new X509Certificate(pem.cert).verify(ca.publicKey))
        throw new Error(`${file} was not issued by ${join(dir, 'ca.pem')}: re-run the certs script for ${mchId}`);
      return pem;
    }
    const cacheKey = `${dir}\0${mchId}`;
    let pem = issued.get(cacheKey);
    if (!pem) {
      const caKey = join(dir, 'ca-key.pem');
      if (!existsSync(caKey))
        throw new Error(
          `${caKey} is missing, so no certificate can be issued for ${mchId}: run the certs script with --new-ca`,
        );
      pem = issueMerchantCert({ cert: pki.caCert, key: readFileSync(caKey, 'utf8') }, mchId);
      issued.set(cacheKey, pem);
    }
    return pem;
  };
}
