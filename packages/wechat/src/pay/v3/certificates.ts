/**
 * `GET /v3/certificates` answers: each certificate is AEAD-encrypted with the APIv3 key
 * (associated_data "certificate"); decrypting it is what proves it came from WeChat Pay. Pure.
 */
import { decryptResource, encryptResource, type EncryptedResource } from './aead';
import { WechatV3SignatureError } from './errors';
import { isObject, stringField, type JsonObject } from './json';
import { normaliseSerial, parsePlatformCertificate, type PlatformCertificate } from './keyring';

/**
 * Decrypts and parses every entry (WeChat's answer: failures are 'upstream'). A certificate whose own
 * serial differs from the `serial_no` it is listed under is refused as BAD_SIGNATURE.
 */
export function decryptCertificates(answer: JsonObject, apiV3Key: string | Buffer): PlatformCertificate[] {
  const data = answer.data;
  if (!Array.isArray(data)) {
    throw new WechatV3SignatureError('/v3/certificates answer has no data array', 'DECRYPT_FAILED', 'upstream');
  }
  return data.map((item: unknown) => {
    const serialNo = isObject(item) ? stringField(item, 'serial_no') : undefined;
    const encrypted = isObject(item) ? item.encrypt_certificate : undefined;
    if (!serialNo || !isObject(encrypted)) {
      const message = '/v3/certificates entry lacks serial_no or encrypt_certificate';
      throw new WechatV3SignatureError(message, 'DECRYPT_FAILED', 'upstream');
    }
    const pem = decryptResource(encrypted as unknown as EncryptedResource, apiV3Key, 'upstream').toString('utf8');
    let cert: PlatformCertificate;
    try {
      cert = parsePlatformCertificate(pem);
    } catch {
      throw new WechatV3SignatureError('/v3/certificates entry is not a certificate', 'DECRYPT_FAILED', 'upstream');
    }
    if (cert.serialNo !== normaliseSerial(serialNo)) {
      const message = '/v3/certificates entry serial_no does not match its certificate';
      throw new WechatV3SignatureError(message, 'BAD_SIGNATURE', 'upstream');
    }
    return cert;
  });
}

/** The sender's side (emulator, tests): one `data[]` entry for a certificate PEM. */
export function encryptCertificateEntry(
  pem: string,
  apiV3Key: string | Buffer,
  nonce: string,
): { serial_no: string; effective_time: string; expire_time: string; encrypt_certificate: EncryptedResource } {
  const cert = parsePlatformCertificate(pem);
  return {
    serial_no: cert.serialNo,
    effective_time: cert.notBefore.toISOString(),
    expire_time: cert.notAfter.toISOString(),
    encrypt_certificate: {
      algorithm: 'AEAD_AES_256_GCM',
      nonce,
      associated_data: 'certificate',
      ciphertext: encryptResource(pem, apiV3Key, nonce, 'certificate'),
    },
  };
}
