/**
 * Writes the emulator's TEST-ONLY PKI into certs/: a CA, a server certificate for
 * localhost/127.0.0.1 and a merchant API client certificate (CN = mch_id), 20 years valid.
 * Run: ./scripts/pnpm.sh --filter @wxpay-shop/wechat-emulator certs [mch_id]
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import forge from 'node-forge';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'certs');
const mchId = process.argv[2] ?? '10000100';
const YEARS = 20;

function keyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  // Node's generator is much faster than forge's pure-JS one.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs8', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), pem: privateKey };
}

function certificate(opts: {
  subject: forge.pki.CertificateField[];
  issuer: forge.pki.CertificateField[];
  publicKey: forge.pki.PublicKey;
  signer: forge.pki.rsa.PrivateKey;
  serial: string;
  extensions: object[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = opts.publicKey;
  cert.serialNumber = opts.serial;
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600_000);
  cert.validity.notAfter = new Date(cert.validity.notBefore.getTime() + YEARS * 365.25 * 24 * 3600_000);
  cert.setSubject(opts.subject);
  cert.setIssuer(opts.issuer);
  cert.setExtensions(opts.extensions);
  cert.sign(opts.signer, forge.md.sha256.create());
  return cert;
}

const caKeys = keyPair();
const caSubject = [
  { name: 'commonName', value: 'wxpay-shop WeChat Emulator TEST CA' },
  { name: 'organizationName', value: 'wxpay-shop (test only)' },
];
const ca = certificate({
  subject: caSubject,
  issuer: caSubject,
  publicKey: caKeys.publicKey,
  signer: caKeys.privateKey,
  serial: '01',
  extensions: [
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ],
});

const serverKeys = keyPair();
const server = certificate({
  subject: [{ name: 'commonName', value: 'localhost' }],
  issuer: caSubject,
  publicKey: serverKeys.publicKey,
  signer: caKeys.privateKey,
  serial: '02',
  extensions: [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }] },
  ],
});

const merchantKeys = keyPair();
const merchant = certificate({
  // Like apiclient_cert.pem: the subject CN is the merchant number.
  subject: [
    { name: 'commonName', value: mchId },
    { name: 'organizationName', value: 'wxpay-shop test merchant' },
  ],
  issuer: caSubject,
  publicKey: merchantKeys.publicKey,
  signer: caKeys.privateKey,
  serial: '03',
  extensions: [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ],
});

mkdirSync(outDir, { recursive: true });
const files: Record<string, string> = {
  'ca.pem': forge.pki.certificateToPem(ca),
  'server.pem': forge.pki.certificateToPem(server),
  'server-key.pem': serverKeys.pem,
  'merchant.pem': forge.pki.certificateToPem(merchant),
  'merchant-key.pem': merchantKeys.pem,
};
for (const [name, pem] of Object.entries(files)) writeFileSync(join(outDir, name), pem);
console.log(`wrote ${Object.keys(files).join(', ')} to ${outDir} (merchant CN=${mchId})`);
