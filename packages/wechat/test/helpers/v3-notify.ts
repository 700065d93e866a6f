/** Builds signed, encrypted v3 notifications (what WeChat would POST) for tests. */
import type { KeyObject } from 'node:crypto';
import { encryptResource, signWechatpayHeaders, unixSeconds, wechatpayHeaderFields } from '../../src/index';

export interface NotificationParts {
  plain: object | string;
  apiV3Key: string;
  signingKey: KeyObject;
  serial: string;
  eventType?: string;
  originalType?: string;
  /** Used to encrypt; the envelope declares `declaredAssociatedData` when given (a mismatch). */
  associatedData?: string;
  declaredAssociatedData?: string;
  algorithm?: string;
  nonce?: string;
  timestamp?: string;
  /** Changes the base64 ciphertext after encryption (tampering). */
  mutateCiphertext?: (b64: string) => string;
}

export function buildNotification(parts: NotificationParts): { headers: Record<string, string>; body: string } {
  const eventType = parts.eventType ?? 'TRANSACTION.SUCCESS';
  const originalType = parts.originalType ?? (eventType.startsWith('REFUND.') ? 'refund' : 'transaction');
  const aad = parts.associatedData ?? originalType;
  const nonce = parts.nonce ?? 'a1b2c3d4e5f6';
  const plaintext = typeof parts.plain === 'string' ? parts.plain : JSON.stringify(parts.plain);
  let ciphertext = encryptResource(plaintext, parts.apiV3Key, nonce, aad);
  if (parts.mutateCiphertext) ciphertext = parts.mutateCiphertext(ciphertext);
  const body = JSON.stringify({
    id: 'EV-TEST-1',
    create_time: '2026-01-01T10:00:00+08:00',
    resource_type: 'encrypt-resource',
    event_type: eventType,
    summary: '测试',
    resource: {
      original_type: originalType,
      algorithm: parts.algorithm ?? 'AEAD_AES_256_GCM',
      ciphertext,
      associated_data: parts.declaredAssociatedData ?? aad,
      nonce,
    },
  });
  const timestamp = parts.timestamp ?? unixSeconds();
  const signed = signWechatpayHeaders(body, parts.signingKey, parts.serial, { timestamp });
  return { headers: wechatpayHeaderFields(signed), body };
}

/** Flips one bit of the byte at `index` (negative counts from the end) of a base64 string's bytes. */
export function flipByte(b64: string, index: number): string {
  const bytes = Buffer.from(b64, 'base64');
  const at = index < 0 ? bytes.length + index : index;
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return bytes.toString('base64');
}
