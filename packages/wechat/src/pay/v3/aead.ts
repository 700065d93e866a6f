/**
 * AEAD_AES_256_GCM with the APIv3 key, as WeChat encrypts notification resources and platform
 * certificates: IV = the nonce's UTF-8 bytes, AAD = associated_data, base64(ciphertext ‖ 16-byte tag). Pure.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { WechatV3SignatureError, type V3Source } from './errors';

const TAG_BYTES = 16;
export const AEAD_ALGORITHM = 'AEAD_AES_256_GCM';

/** An encrypted `resource` / `encrypt_certificate` object as WeChat sends it. */
export interface EncryptedResource {
  algorithm: string;
  ciphertext: string;
  nonce: string;
  associated_data?: string;
  original_type?: string;
}

/** The APIv3 key is 32 bytes of text (set in the merchant console); anything else is a configuration error. */
export function apiV3KeyBytes(apiV3Key: string | Buffer): Buffer {
  const key = typeof apiV3Key === 'string' ? Buffer.from(apiV3Key, 'utf8') : apiV3Key;
  if (key.length !== 32) throw new Error('APIv3 key must be exactly 32 bytes');
  return key;
}

/** Throws WechatV3SignatureError (DECRYPT_FAILED / UNSUPPORTED_ALGORITHM) on anything not authentic. */
export function decryptResource(
  resource: EncryptedResource,
  apiV3Key: string | Buffer,
  source: V3Source = 'inbound',
): Buffer {
  const key = apiV3KeyBytes(apiV3Key);
  if (resource.algorithm !== AEAD_ALGORITHM) {
    throw new WechatV3SignatureError('resource algorithm is not AEAD_AES_256_GCM', 'UNSUPPORTED_ALGORITHM', source);
  }
  const { ciphertext, nonce } = resource;
  const aad = resource.associated_data ?? '';
  if (typeof ciphertext !== 'string' || typeof nonce !== 'string' || typeof aad !== 'string' || nonce === '') {
    throw new WechatV3SignatureError('resource ciphertext/nonce/associated_data missing', 'DECRYPT_FAILED', source);
  }
  const sealed = Buffer.from(ciphertext, 'base64');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(ciphertext) || sealed.length < TAG_BYTES) {
    const message = 'resource ciphertext is not base64 of ciphertext and tag';
    throw new WechatV3SignatureError(message, 'DECRYPT_FAILED', source);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'utf8'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]);
  } catch {
    throw new WechatV3SignatureError(
      'resource does not decrypt with the APIv3 key (tampered or another key)',
      'DECRYPT_FAILED',
      source,
    );
  }
}

/** The sender's side (the emulator and tests): base64(ciphertext ‖ tag). */
export function encryptResource(
  plaintext: string | Buffer,
  apiV3Key: string | Buffer,
  nonce: string,
  associatedData = '',
): string {
  const iv = Buffer.from(nonce, 'utf8');
  const cipher = createCipheriv('aes-256-gcm', apiV3KeyBytes(apiV3Key), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const input = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const body = Buffer.concat([cipher.update(input), cipher.final()]);
  return Buffer.concat([body, cipher.getAuthTag()]).toString('base64');
}
