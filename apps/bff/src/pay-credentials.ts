/**
 * Start-up checks of the WeChat Pay API v3 settings: the key files are read here and checked by the
 * protocol core (`checkV3Credentials`), and each problem is reported under the environment variable to
 * fix, so a wrong file or a short APIv3 key stops the BFF instead of failing the first payment.
 */
import { readFileSync } from 'node:fs';
import { checkV3Credentials } from '@wxpay-shop/wechat';

export interface V3Settings {
  mchId: string;
  apiV3Key: string | undefined;
  merchantSerialNo: string | undefined;
  /** apiclient_key.pem: the file v2 refunds present over TLS also signs every v3 request. */
  merchantKeyPath: string | undefined;
  /** apiclient_cert.pem, optional: when set, its serial and key pair are checked too. */
  merchantCertPath: string | undefined;
  publicKeyPath: string | undefined;
  publicKeyId: string | undefined;
  platformCertificates: boolean;
}

/** What the v3 gateway needs, read and checked. */
export interface PayV3Credentials {
  apiV3Key: string;
  merchantSerialNo: string;
  merchantPrivateKey: string;
  wechatpayPublicKey: { id: string; key: string } | null;
  platformCertificates: boolean;
}

/** The core's setting names → ours. */
const VARIABLES: Array<[string, string]> = [
  ['mchId', 'WECHAT_MCH_ID'],
  ['merchantSerialNo', 'WECHAT_PAY_MERCHANT_SERIAL_NO'],
  ['merchantPrivateKey', 'WECHAT_PAY_CLIENT_KEY'],
  ['merchantCertificate', 'WECHAT_PAY_CLIENT_CERT'],
  ['apiV3Key', 'WECHAT_PAY_API_V3_KEY'],
  ['wechatpayPublicKey id', 'WECHAT_PAY_PUBLIC_KEY_ID'],
  ['wechatpayPublicKey', 'WECHAT_PAY_PUBLIC_KEY'],
  ['configure', 'WECHAT_PAY_PUBLIC_KEY / WECHAT_PAY_PLATFORM_CERTIFICATES'],
];

function named(problem: string): string {
  const hit = VARIABLES.find(([field]) => problem.startsWith(field));
  return hit ? `${hit[1]}: ${problem}` : problem;
}

const read = (path: string | undefined): string | undefined =>
  path === undefined ? undefined : readFileSync(path, 'utf8');

/** The credentials, or the problems (each `VARIABLE: rule`); file paths were checked to exist already. */
export function readV3Credentials(s: V3Settings): { credentials: PayV3Credentials } | { problems: string[] } {
  const problems: string[] = [];
  if (s.apiV3Key === undefined) problems.push('WECHAT_PAY_API_V3_KEY: is required for WECHAT_PAY_API_VERSION=v3');
  if (s.merchantSerialNo === undefined) {
    problems.push('WECHAT_PAY_MERCHANT_SERIAL_NO: is required for v3 (the serial of apiclient_cert.pem)');
  }
  if (s.merchantKeyPath === undefined)
    problems.push('WECHAT_PAY_CLIENT_KEY: is required for v3 (apiclient_key.pem signs every request)');
  if ((s.publicKeyPath === undefined) !== (s.publicKeyId === undefined)) {
    problems.push(
      'WECHAT_PAY_PUBLIC_KEY / WECHAT_PAY_PUBLIC_KEY_ID: set both (the key file and its PUB_KEY_ID_…) or neither',
    );
  }
  if (problems.length > 0) return { problems };
  const merchantPrivateKey = read(s.merchantKeyPath)!;
  const publicKey = read(s.publicKeyPath);
  const wechatpayPublicKey = publicKey !== undefined ? { id: s.publicKeyId!, key: publicKey } : null;
  const found = checkV3Credentials({
    mchId: s.mchId,
    merchantSerialNo: s.merchantSerialNo!,
    merchantPrivateKey,
    merchantCertificate: read(s.merchantCertPath),
    apiV3Key: s.apiV3Key!,
    ...(wechatpayPublicKey ? { wechatpayPublicKey } : {}),
    platformCertificates: s.platformCertificates,
  });
  if (found.length > 0) return { problems: found.map(named) };
  return {
    credentials: {
      apiV3Key: s.apiV3Key!,
      merchantSerialNo: s.merchantSerialNo!,
      merchantPrivateKey,
      wechatpayPublicKey,
      platformCertificates: s.platformCertificates,
    },
  };
}
