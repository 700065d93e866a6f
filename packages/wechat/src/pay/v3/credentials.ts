/**
 * Start-up checks of v3 merchant credentials, each mistake with its own message naming the setting
 * (never its value), so a misconfigured shop refuses to start instead of failing its first payment. Pure.
 */
import { X509Certificate } from 'node:crypto';
import { apiV3KeyBytes } from './aead';
import { normaliseSerial } from './keyring';
import { isKeyPair, loadPrivateKey, loadPublicKey, type PrivateKeyInput, type PublicKeyInput } from './rsa';

export interface V3Credentials {
  mchId: string;
  merchantSerialNo: string;
  merchantPrivateKey: PrivateKeyInput;
  /** `apiclient_cert.pem`: when given, its serial and public key must match the two settings above. */
  merchantCertificate?: string;
  apiV3Key: string;
  wechatpayPublicKey?: { id: string; key: PublicKeyInput };
  platformCertificates?: boolean;
}

/** Every problem found, in the order of the settings; empty when the credentials are usable. */
export function checkV3Credentials(c: V3Credentials): string[] {
  const problems: string[] = [];
  if (!/^[0-9]{6,32}$/.test(c.mchId ?? '')) problems.push('mchId must be the merchant number (digits)');
  const serialOk = /^[0-9A-Fa-f]{8,40}$/.test(c.merchantSerialNo ?? '');
  if (!serialOk) problems.push('merchantSerialNo must be the merchant API certificate serial (40 hex digits)');
  let privateKey: ReturnType<typeof loadPrivateKey> | undefined;
  try {
    privateKey = loadPrivateKey(c.merchantPrivateKey ?? '');
  } catch {
    problems.push('merchantPrivateKey must be the PEM RSA private key of the merchant certificate (apiclient_key.pem)');
  }
  if (c.merchantCertificate !== undefined) {
    let cert: X509Certificate | undefined;
    try {
      cert = new X509Certificate(c.merchantCertificate);
    } catch {
      problems.push('merchantCertificate must be a PEM certificate (apiclient_cert.pem)');
    }
    if (cert && serialOk && normaliseSerial(cert.serialNumber) !== normaliseSerial(c.merchantSerialNo)) {
      problems.push('merchantSerialNo is not the serial of merchantCertificate');
    }
    if (cert && privateKey && !isKeyPair(privateKey, cert.publicKey)) {
      problems.push('merchantPrivateKey does not belong to merchantCertificate');
    }
  }
  try {
    apiV3KeyBytes(c.apiV3Key ?? '');
  } catch {
    problems.push('apiV3Key must be exactly 32 bytes (the APIv3 key, not the v2 API key)');
  }
  if (c.wechatpayPublicKey) {
    if (!/^PUB_KEY_ID_[0-9A-Za-z_]+$/.test(c.wechatpayPublicKey.id ?? '')) {
      problems.push('wechatpayPublicKey id must look like PUB_KEY_ID_…');
    }
    try {
      loadPublicKey(c.wechatpayPublicKey.key ?? '');
    } catch {
      problems.push('wechatpayPublicKey must be the PEM public key from the merchant console');
    }
  } else if (!c.platformCertificates) {
    problems.push('configure a WeChat Pay public key (with its PUB_KEY_ID_…), platform certificates, or both');
  }
  return problems;
}
