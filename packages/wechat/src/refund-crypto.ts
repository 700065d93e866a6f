/**
 * Refund notification `req_info`: AES-256-ECB with PKCS#7 padding, where the key is
 * the 32 ASCII characters of lower-case hex md5(API key) (not the 16 raw digest bytes).
 */
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

function reqInfoKey(apiKey: string): Buffer {
  return Buffer.from(createHash('md5').update(apiKey, 'utf8').digest('hex'), 'ascii');
}

export function decryptReqInfo(reqInfoBase64: string, apiKey: string): string {
  const decipher = createDecipheriv('aes-256-ecb', reqInfoKey(apiKey), null);
  return Buffer.concat([decipher.update(Buffer.from(reqInfoBase64, 'base64')), decipher.final()]).toString('utf8');
}

/** The sender's side, used by the emulator and by tests. */
export function encryptReqInfo(plainXml: string, apiKey: string): string {
  const cipher = createCipheriv('aes-256-ecb', reqInfoKey(apiKey), null);
  return Buffer.concat([cipher.update(plainXml, 'utf8'), cipher.final()]).toString('base64');
}
