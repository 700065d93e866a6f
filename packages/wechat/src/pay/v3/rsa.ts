/** SHA256withRSA (RSASSA-PKCS1-v1_5) signing and verification, and key loading, via node:crypto. Pure. */
import { createPrivateKey, createPublicKey, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';

/** Any form of a private key: PEM (PKCS#8 or PKCS#1) or an already parsed KeyObject. */
export type PrivateKeyInput = string | Buffer | KeyObject;
/** Any form of a public key: SPKI PEM, an X.509 certificate PEM, or an already parsed KeyObject. */
export type PublicKeyInput = string | Buffer | KeyObject;

/** Parses once; throws an Error without key material in the message. */
export function loadPrivateKey(input: PrivateKeyInput): KeyObject {
  if (typeof input === 'object' && !Buffer.isBuffer(input)) {
    if (input.type !== 'private') throw new Error('loadPrivateKey: a private KeyObject is required');
    return checkRsa(input, 'loadPrivateKey');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(input);
  } catch {
    throw new Error('loadPrivateKey: not a PEM private key');
  }
  return checkRsa(key, 'loadPrivateKey');
}

/** Accepts an SPKI public key or a certificate (whose public key is taken). */
export function loadPublicKey(input: PublicKeyInput): KeyObject {
  if (typeof input === 'object' && !Buffer.isBuffer(input)) {
    if (input.type !== 'public') throw new Error('loadPublicKey: a public KeyObject is required');
    return checkRsa(input, 'loadPublicKey');
  }
  const text = input.toString();
  let key: KeyObject;
  try {
    key = text.includes('BEGIN CERTIFICATE') ? new X509Certificate(text).publicKey : createPublicKey(text);
  } catch {
    throw new Error('loadPublicKey: not a PEM public key or certificate');
  }
  return checkRsa(key, 'loadPublicKey');
}

function checkRsa(key: KeyObject, method: string): KeyObject {
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`${method}: an RSA key is required`);
  return key;
}

/** base64 SHA256withRSA signature of the UTF-8 message (or of the exact bytes given). */
export function rsaSign(message: string | Buffer, privateKey: KeyObject): string {
  const data = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return sign('sha256', data, privateKey).toString('base64');
}

/** False for any mismatch, including a signature that is not base64 or has the wrong length. */
export function rsaVerify(message: string | Buffer, signatureBase64: string, publicKey: KeyObject): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signatureBase64)) return false;
  const data = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  try {
    return verify('sha256', data, publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}

/** True when the private key is the one whose public half is given (e.g. the merchant certificate's). */
export function isKeyPair(privateKey: KeyObject, publicKey: KeyObject): boolean {
  const probe = Buffer.from('wxpay-shop key pair check');
  return verify('sha256', probe, publicKey, sign('sha256', probe, privateKey));
}
