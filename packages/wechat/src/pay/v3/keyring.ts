/**
 * The keys that verify WeChat Pay's v3 signatures, by `Wechatpay-Serial`: a WeChat Pay public key
 * (`PUB_KEY_ID_…`), platform certificates (by serial), or both at once during a migration. Each key
 * is parsed once, when added. Pure (fetching certificates is the client's job).
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { loadPublicKey, type PublicKeyInput } from './rsa';

/** Serial numbers compare upper-case without leading zeros (OpenSSL may print either way). */
export function normaliseSerial(serial: string): string {
  const upper = serial.trim().toUpperCase();
  return upper.startsWith('PUB_KEY_ID_') ? upper : upper.replace(/^0+(?=.)/, '');
}

export interface PlatformCertificate {
  serialNo: string;
  publicKey: KeyObject;
  notBefore: Date;
  notAfter: Date;
}

/** Parses a platform certificate PEM; throws on one that is not an RSA X.509 certificate. */
export function parsePlatformCertificate(pem: string): PlatformCertificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw new Error('parsePlatformCertificate: not a PEM certificate');
  }
  return {
    serialNo: normaliseSerial(cert.serialNumber),
    publicKey: loadPublicKey(cert.publicKey),
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
  };
}

interface Entry {
  key: KeyObject;
  kind: 'public-key' | 'certificate';
  notAfter?: Date;
}

export class WechatpayKeyRing {
  private readonly keys = new Map<string, Entry>();

  /** The WeChat Pay public key and its id (`PUB_KEY_ID_…`) from the merchant console. */
  addPublicKey(id: string, key: PublicKeyInput): this {
    if (!/^PUB_KEY_ID_[0-9A-Za-z_]+$/.test(id)) throw new Error('addPublicKey: id must look like PUB_KEY_ID_…');
    this.keys.set(normaliseSerial(id), { key: loadPublicKey(key), kind: 'public-key' });
    return this;
  }

  addCertificate(cert: PlatformCertificate | string): this {
    const parsed = typeof cert === 'string' ? parsePlatformCertificate(cert) : cert;
    this.keys.set(parsed.serialNo, { key: parsed.publicKey, kind: 'certificate', notAfter: parsed.notAfter });
    return this;
  }

  /** Replaces every platform certificate (after a download), keeping the public key. */
  replaceCertificates(certs: readonly PlatformCertificate[]): this {
    for (const [serial, entry] of this.keys) if (entry.kind === 'certificate') this.keys.delete(serial);
    for (const cert of certs) this.addCertificate(cert);
    return this;
  }

  /** The key for a `Wechatpay-Serial`, or undefined (unknown, or a certificate past its expiry). */
  find(serial: string, now: Date = new Date()): KeyObject | undefined {
    const entry = this.keys.get(normaliseSerial(serial));
    if (!entry) return undefined;
    if (entry.notAfter && entry.notAfter.getTime() < now.getTime()) return undefined;
    return entry.key;
  }

  get certificateSerials(): string[] {
    return [...this.keys].filter(([, e]) => e.kind === 'certificate').map(([s]) => s);
  }

  get hasPublicKey(): boolean {
    return [...this.keys.values()].some((e) => e.kind === 'public-key');
  }
}
