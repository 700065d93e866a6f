/**
 * Issues the emulator's TEST-ONLY certificates: the CA, the HTTPS server certificate and merchant
 * API client certificates (CN = mch_id, like apiclient_cert.pem). Pure crypto, no file I/O:
 * scripts/generate-certs.ts writes what it issues, src/tls.ts issues extra merchants' certs in memory.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface Pem {
  cert: string;
  key: string;
}

const YEARS = 20;

/** A mch_id that can name a certificate file (merchant-<mch_id>.pem). */
export const CERT_MCH_ID = /^[0-9A-Za-z_-]{1,32}$/;

function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  // Node's generator is much faster than forge's pure-JS one.
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), pem: privateKey };
}

/** A new key pair and a certificate for it, signed by `issuer` (or self-signed when null). */
function issue(subject: forge.pki.CertificateField[], issuer: Pem | null, extensions: object[]): Pem {
  const keys = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  // Random, positive serials: certificates issued at different times under one CA never collide.
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = new Date(cert.validity.notBefore.getTime() + YEARS * 365.25 * 24 * 3600_000);
  cert.setSubject(subject);
  cert.setIssuer(issuer ? forge.pki.certificateFromPem(issuer.cert).subject.attributes : subject);
  cert.setExtensions(extensions);
  const signer = issuer ? (forge.pki.privateKeyFromPem(issuer.key) as forge.pki.rsa.PrivateKey) : keys.privateKey;
  cert.sign(signer, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.pem };
}

export function issueCa(): Pem {
  return issue(
    [
      { name: 'commonName', value: 'wxpay-shop WeChat Emulator TEST CA' },
      { name: 'organizationName', value: 'wxpay-shop (test only)' },
    ],
    null,
    [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      { name: 'subjectKeyIdentifier' },
    ],
  );
}

export function issueServerCert(ca: Pem): Pem {
  return issue([{ name: 'commonName', value: 'localhost' }], ca, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
  ]);
}

/**
 * The emulator's WeChat Pay platform certificate (平台证书): what `/v3/certificates` serves and what
 * signs v3 answers and notifications in platform-certificate mode.
 */
export function issuePlatformCert(ca: Pem): Pem {
  return issue(
    [
      { name: 'commonName', value: 'wxpay-shop emulator WeChat Pay platform (test only)' },
      { name: 'organizationName', value: 'wxpay-shop (test only)' },
    ],
    ca,
    [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, critical: true },
    ],
  );
}

/** The WeChat Pay public key (微信支付公钥) pair of public-key mode: SPKI public PEM and its private key. */
export function issueWechatpayPublicKey(): { publicKey: string; key: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { publicKey, key: privateKey };
}

/** Like apiclient_cert.pem: the subject CN is the merchant number, which /secapi compares with mch_id. */
export function issueMerchantCert(ca: Pem, mchId: string): Pem {
  if (!CERT_MCH_ID.test(mchId))
    throw new Error(`mch_id ${JSON.stringify(mchId)} cannot name a certificate (1-32 of 0-9 A-Z a-z _ -)`);
  return issue(
    [
      { name: 'commonName', value: mchId },
      { name: 'organizationName', value: 'wxpay-shop test merchant' },
    ],
    ca,
    [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', clientAuth: true },
    ],
  );
}
