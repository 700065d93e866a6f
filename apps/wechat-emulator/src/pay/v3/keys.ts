/**
 * The emulator's side of API v3 keys: the merchants' API certificates (whose serial and public key
 * check request signatures) and WeChat Pay's own signing keys — the platform certificate, the WeChat
 * Pay public key (PUB_KEY_ID_…), or either during a migration — chosen per merchant.
 */
import { randomBytes, randomInt, X509Certificate, type KeyObject } from 'node:crypto';
import {
  loadPrivateKey,
  loadPublicKey,
  normaliseSerial,
  PROBE_SIGNATURE_PREFIX,
  signWechatpayHeaders,
  type WechatpayHeaders,
} from '@wxpay-shop/wechat';
import type { MerchantConfig, V3KeyMode } from '../../config';
import type { Pem } from '../../pki';

/** The id the emulator's WeChat Pay public key goes by (the console shows it beside the key). */
export const WECHATPAY_PUBLIC_KEY_ID = 'PUB_KEY_ID_0110000100EMULATOR0000000001';

export interface PlatformMaterial {
  platformCert: string;
  platformKey: string;
  wechatpayPublicKey: string;
  wechatpayPublicKeyPrivate: string;
}

export interface MerchantApiCert {
  /** Normalised (upper-case, no leading zeros), as `normaliseSerial` gives. */
  serialNo: string;
  publicKey: KeyObject;
}

/** How the first attempt (or an answer) is spoiled by a fault: a wrong signature, or a probe. */
export type SignatureSpoiler = 'badsign' | 'probe' | undefined;

export class V3Keys {
  readonly platformSerial: string;
  private readonly platformKey: KeyObject;
  private readonly publicKeyPrivate: KeyObject;
  private readonly merchantCerts = new Map<string, MerchantApiCert>();

  constructor(
    readonly material: PlatformMaterial,
    private readonly certFor: (mchId: string) => Pem,
    private readonly defaultMode: V3KeyMode,
  ) {
    this.platformSerial = normaliseSerial(new X509Certificate(material.platformCert).serialNumber);
    this.platformKey = loadPrivateKey(material.platformKey);
    this.publicKeyPrivate = loadPrivateKey(material.wechatpayPublicKeyPrivate);
  }

  modeOf(merchant: MerchantConfig | undefined): V3KeyMode {
    return merchant?.v3KeyMode ?? this.defaultMode;
  }

  /** The merchant's API certificate (apiclient_cert.pem), parsed once. */
  merchantCert(mchId: string): MerchantApiCert {
    let cert = this.merchantCerts.get(mchId);
    if (!cert) {
      const x509 = new X509Certificate(this.certFor(mchId).cert);
      cert = { serialNo: normaliseSerial(x509.serialNumber), publicKey: loadPublicKey(x509.publicKey) };
      this.merchantCerts.set(mchId, cert);
    }
    return cert;
  }

  /** Wechatpay-* headers for a body; migration picks the public key or the platform certificate at random. */
  sign(
    body: string,
    merchant: MerchantConfig | undefined,
    spoiler?: SignatureSpoiler,
    mode = this.modeOf(merchant),
  ): WechatpayHeaders {
    const usePublicKey = mode === 'public-key' || (mode === 'migration' && randomInt(2) === 0);
    const headers = usePublicKey
      ? signWechatpayHeaders(body, this.publicKeyPrivate, WECHATPAY_PUBLIC_KEY_ID)
      : signWechatpayHeaders(body, this.platformKey, this.platformSerial);
    if (spoiler === 'probe')
      return { ...headers, signature: `${PROBE_SIGNATURE_PREFIX}${randomBytes(192).toString('base64')}` };
    if (spoiler === 'badsign') return { ...headers, signature: corruptBase64(headers.signature) };
    return headers;
  }
}

/** Same length and alphabet, one character changed: a signature that no longer verifies. */
function corruptBase64(signature: string): string {
  const first = signature[0] === 'A' ? 'B' : 'A';
  return `${first}${signature.slice(1)}`;
}
