/** Self-signed X.509 certificates with a chosen serial, standing in for WeChat Pay platform certificates. */
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface IssuedCert {
  cert: string;
  /** PKCS#8 PEM of the certificate's key. */
  key: string;
  serialNo: string;
}

/** `keyPem` defaults to a fresh RSA-2048 key; `serialNo` is hex (WeChat's are 40 upper-case). */
export function issuePlatformCert(serialNo: string, keyPem?: string, validForMs = 24 * 3600_000): IssuedCert {
  const key =
    keyPem ??
    generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const privateKey = forge.pki.privateKeyFromPem(key) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  cert.serialNumber = serialNo;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + validForMs);
  const subject = [{ name: 'commonName', value: 'Tenpay.com Root CA (test)' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key, serialNo };
}
