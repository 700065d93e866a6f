import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_STOREFRONT_DIST, DEV_ADMIN_TOKEN, DEV_SESSION_KEYS, loadConfig } from '../src/config';
import { fakeStorefrontDist } from './helpers/stack';
import { PRODUCTION_ENV, PRODUCTION_SECRETS } from './helpers/production-env';

const base = {
  WECHAT_APP_ID: 'wxd930ea5d5a258f4f',
  WECHAT_APP_SECRET: '3f6c2a9e8b1d4075c6e2a1f9b8d3c740',
  WECHAT_MCH_ID: '10000100',
  WECHAT_PAY_API_KEY: '192006250b4c09247ec02edce69f6a2d',
};

function problems(env: Record<string, string | undefined>, defaults?: { storefrontDist?: string }): string[] {
  try {
    loadConfig(env, defaults);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('loadConfig', () => {
  it('applies documented defaults in development', () => {
    const c = loadConfig(base);
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.wechat.signType).toBe('MD5');
    expect(c.wechat.payBaseUrl).toBe('https://api.mch.weixin.qq.com');
    expect(c.wechat.secapiBaseUrl).toBe('https://api.mch.weixin.qq.com');
    expect(c.wechat.openBaseUrl).toBe('https://open.weixin.qq.com');
    expect(c.wechat.apiBaseUrl).toBe('https://api.weixin.qq.com');
    expect(c.orderTtlMinutes).toBe(30);
    expect(c.reconcileIntervalMs).toBe(15_000);
    expect(c.database.kind).toBe('pglite');
    expect(c.sessionKeys).toEqual([DEV_SESSION_KEYS]);
    expect(c.adminToken).toBe(DEV_ADMIN_TOKEN);
    expect(c.trustProxyHops).toBe(0);
  });

  it('trusts a proxy only when TRUST_PROXY names its hops, in production too', () => {
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).trustProxyHops).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: '' }).trustProxyHops).toBe(0);
    const production = { ...base, ...PRODUCTION_ENV };
    expect(loadConfig(production).trustProxyHops).toBe(0);
    for (const bad of ['yes', 'true', '-1', '1.5', '11']) {
      expect(problems({ ...base, TRUST_PROXY: bad })[0], bad).toMatch(/^TRUST_PROXY: /);
    }
  });

  it('lists one clear message per missing or invalid variable', () => {
    const p = problems({ WECHAT_PAY_API_KEY: 'short', PORT: 'eighty', WECHAT_PAY_SIGN_TYPE: 'SHA1' });
    expect(p.some((m) => m.startsWith('WECHAT_APP_ID: is required'))).toBe(true);
    expect(p.some((m) => m.startsWith('WECHAT_APP_SECRET: is required'))).toBe(true);
    expect(p.some((m) => m.startsWith('WECHAT_MCH_ID: is required'))).toBe(true);
    expect(p.some((m) => m.startsWith('WECHAT_PAY_API_KEY: must be exactly 32 characters'))).toBe(true);
    // Malformed is not missing: a number that is not one says so, not "is required".
    expect(p.find((m) => m.startsWith('PORT:'))).not.toMatch(/is required/);
    expect(problems({ ...base, TRUST_PROXY: 'abc' })).toEqual([
      'TRUST_PROXY: must be the number of trusted proxy hops (0 = off)',
    ]);
    expect(p.some((m) => m.startsWith('WECHAT_PAY_SIGN_TYPE:'))).toBe(true);
  });

  it('limits order creation by default; 0 turns a limit off; nonsense is refused', () => {
    const c = loadConfig(base);
    expect(c.orderRateLimit).toEqual({ limit: 20, windowMs: 60_000 });
    expect(c.maxPendingOrders).toBe(5);
    const off = loadConfig({
      ...base,
      ORDER_RATE_LIMIT: '0',
      MAX_PENDING_ORDERS: '0',
      ORDER_RATE_WINDOW_SECONDS: '600',
    });
    expect(off.orderRateLimit).toEqual({ limit: 0, windowMs: 600_000 });
    expect(off.maxPendingOrders).toBe(0);
    for (const [name, bad] of [
      ['ORDER_RATE_LIMIT', '-1'],
      ['ORDER_RATE_LIMIT', 'lots'],
      ['ORDER_RATE_WINDOW_SECONDS', '0'],
      ['MAX_PENDING_ORDERS', '2.5'],
    ]) {
      expect(problems({ ...base, [name!]: bad })[0], `${name}=${bad}`).toMatch(new RegExp(`^${name}: `));
    }
  });

  it('serves metrics only when METRICS_PORT is set, on loopback unless a METRICS_TOKEN guards them', () => {
    expect(loadConfig(base).metrics).toBeNull();
    expect(loadConfig({ ...base, METRICS_PORT: '9464' }).metrics).toEqual({
      port: 9464,
      host: '127.0.0.1',
      token: null,
    });
    expect(problems({ ...base, METRICS_PORT: '9464', METRICS_HOST: '0.0.0.0' })).toEqual([
      'METRICS_TOKEN: is required when METRICS_HOST (0.0.0.0) is not a loopback address',
    ]);
    const guarded = loadConfig({
      ...base,
      METRICS_PORT: '9464',
      METRICS_HOST: '0.0.0.0',
      METRICS_TOKEN: 'scrape-token-0123456789',
    });
    expect(guarded.metrics).toEqual({ port: 9464, host: '0.0.0.0', token: 'scrape-token-0123456789' });
    expect(problems({ ...base, METRICS_PORT: 'lots' })[0]).toMatch(/^METRICS_PORT: /);
    expect(problems({ ...base, METRICS_PORT: '9464', METRICS_TOKEN: 'short' })[0]).toMatch(
      /^METRICS_TOKEN: needs at least 16/,
    );
  });

  it('bounds how long a client may take to send a request (30 s, headers 20 s), validated', () => {
    expect(loadConfig(base).http).toEqual({ requestTimeoutMs: 30_000, headersTimeoutMs: 20_000 });
    expect(loadConfig({ ...base, HTTP_REQUEST_TIMEOUT_MS: '5000' }).http).toEqual({
      requestTimeoutMs: 5_000,
      headersTimeoutMs: 5_000,
    });
    expect(loadConfig({ ...base, HTTP_HEADERS_TIMEOUT_MS: '2000' }).http).toEqual({
      requestTimeoutMs: 30_000,
      headersTimeoutMs: 2_000,
    });
    expect(problems({ ...base, HTTP_REQUEST_TIMEOUT_MS: '0' })[0]).toMatch(/^HTTP_REQUEST_TIMEOUT_MS: /);
    expect(problems({ ...base, HTTP_HEADERS_TIMEOUT_MS: 'soon' })[0]).toMatch(/^HTTP_HEADERS_TIMEOUT_MS: /);
    expect(problems({ ...base, HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '10000' })).toEqual([
      'HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS',
    ]);
  });

  it('offers a 客服 number only when SHOP_SERVICE_PHONE is a phone number', () => {
    expect(loadConfig(base).servicePhone).toBeNull();
    expect(loadConfig({ ...base, SHOP_SERVICE_PHONE: '' }).servicePhone).toBeNull();
    expect(loadConfig({ ...base, SHOP_SERVICE_PHONE: ' 400-000-0000 ' }).servicePhone).toBe('400-000-0000');
    expect(loadConfig({ ...base, SHOP_SERVICE_PHONE: '+86 571 8888 0000' }).servicePhone).toBe('+86 571 8888 0000');
    for (const bad of ['call us', '12', 'javascript:alert(1)', '4000000000\n1']) {
      expect(problems({ ...base, SHOP_SERVICE_PHONE: bad })).toEqual([
        expect.stringMatching(/^SHOP_SERVICE_PHONE: must be a phone number/),
      ]);
    }
  });

  it('treats empty strings as unset (DATABASE_URL="" → embedded PGlite)', () => {
    expect(loadConfig({ ...base, DATABASE_URL: '' }).database.kind).toBe('pglite');
    expect(loadConfig({ ...base, DATABASE_URL: 'memory://' }).database).toEqual({ kind: 'pglite', dataDir: null });
    expect(loadConfig({ ...base, DATABASE_URL: 'postgres://u@h/db' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@h/db',
    });
    expect(problems({ ...base, DATABASE_URL: 'mysql://x' })[0]).toMatch(/^DATABASE_URL:/);
  });

  it('derives notify URLs and secapi base from their parents', () => {
    const c = loadConfig({
      ...base,
      PUBLIC_BASE_URL: 'https://shop.example.com/',
      WECHAT_PAY_BASE_URL: 'http://127.0.0.1:4000',
    });
    expect(c.publicBaseUrl).toBe('https://shop.example.com');
    expect(c.wechat.secapiBaseUrl).toBe('http://127.0.0.1:4000');
  });

  it('requires client cert and key together', () => {
    expect(problems({ ...base, WECHAT_PAY_CLIENT_CERT: '/etc/hostname' })).toContain(
      'WECHAT_PAY_CLIENT_CERT / WECHAT_PAY_CLIENT_KEY: set both or neither',
    );
    expect(problems({ ...base, WECHAT_PAY_CA_CERT: '/nonexistent/ca.pem' })[0]).toBe(
      'WECHAT_PAY_CA_CERT: file does not exist (/nonexistent/ca.pem)',
    );
    expect(problems({ ...base, WECHAT_PAY_CA_CERT: 'ca.pem' })[0]).toBe(
      `WECHAT_PAY_CA_CERT: file does not exist (${process.cwd()}/ca.pem)`,
    );
  });

  it('requires an https secapi URL when a client certificate is set', () => {
    const withCert = { ...base, WECHAT_PAY_CLIENT_CERT: '/etc/hostname', WECHAT_PAY_CLIENT_KEY: '/etc/hostname' };
    const complaint = expect.stringMatching(/^WECHAT_PAY_SECAPI_BASE_URL: must be https:\/\//);
    expect(problems({ ...withCert, WECHAT_PAY_BASE_URL: 'http://127.0.0.1:4000' })).toContainEqual(complaint);
    expect(
      problems({
        ...withCert,
        WECHAT_PAY_BASE_URL: 'http://127.0.0.1:4000',
        WECHAT_PAY_SECAPI_BASE_URL: 'https://127.0.0.1:4001',
      }),
    ).not.toContainEqual(complaint);
    expect(problems({ ...base, WECHAT_PAY_BASE_URL: 'http://127.0.0.1:4000' })).not.toContainEqual(complaint);
  });

  it('refuses to start production with test or default secrets', () => {
    const p = problems({ ...base, NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://shop.example.com' });
    expect(p).toEqual(
      expect.arrayContaining([
        'WECHAT_APP_SECRET: the public test secret is not allowed in production',
        'WECHAT_PAY_API_KEY: the public test key is not allowed in production',
        'SESSION_KEYS: is required in production',
        'ADMIN_TOKEN: is required in production',
      ]),
    );
    const withDefaults = problems({
      ...base,
      NODE_ENV: 'production',
      PUBLIC_BASE_URL: 'https://shop.example.com',
      SESSION_KEYS: DEV_SESSION_KEYS,
      ADMIN_TOKEN: DEV_ADMIN_TOKEN,
    });
    expect(withDefaults.some((m) => m.startsWith('SESSION_KEYS:'))).toBe(true);
    expect(withDefaults.some((m) => m.startsWith('ADMIN_TOKEN:'))).toBe(true);
  });

  it('requires an https PUBLIC_BASE_URL in production (its cookies are Secure)', () => {
    const secrets = PRODUCTION_SECRETS;
    expect(
      problems({
        ...base,
        ...secrets,
        NODE_ENV: 'production',
        STOREFRONT_DIST: 'off',
        PUBLIC_BASE_URL: 'http://shop.example.com',
      }),
    ).toEqual(['PUBLIC_BASE_URL: must be https:// in production (session cookies are Secure)']);
    expect(
      problems({ ...base, ...secrets, NODE_ENV: 'development', PUBLIC_BASE_URL: 'http://localhost:5173' }),
    ).toEqual([]);
  });

  it('starts production with real secrets', () => {
    const c = loadConfig({
      ...PRODUCTION_ENV,
      SESSION_KEYS: 'k'.repeat(32) + ',' + 'j'.repeat(32),
      WECHAT_PAY_SIGN_TYPE: 'HMAC-SHA256',
    });
    expect(c.env).toBe('production');
    expect(c.sessionKeys).toHaveLength(2);
    expect(c.wechat.signType).toBe('HMAC-SHA256');
  });
});

describe('CSP_IMG_SOURCES', () => {
  it('takes origins separated by spaces or commas (trailing slashes dropped); unset means none', () => {
    expect(loadConfig(base).cspImgSources).toEqual([]);
    expect(
      loadConfig({
        ...base,
        CSP_IMG_SOURCES: ' https://img.example.com/, https://*.cdn.example.com:8443  http://127.0.0.1:9000',
      }).cspImgSources,
    ).toEqual(['https://img.example.com', 'https://*.cdn.example.com:8443', 'http://127.0.0.1:9000']);
  });

  it('refuses anything but an origin, so the setting cannot loosen or break the policy', () => {
    for (const bad of [
      "'unsafe-inline'",
      'https:',
      '*',
      'data:',
      'img.example.com',
      'https://img.example.com/path',
      'https://a.example;script-src',
    ]) {
      expect(problems({ ...base, CSP_IMG_SOURCES: bad })).toEqual([
        `CSP_IMG_SOURCES: "${bad}" is not an origin like https://img.example.com or https://*.example.com`,
      ]);
    }
  });

  it('refuses http:// origins in production', () => {
    expect(problems({ ...base, ...PRODUCTION_ENV, CSP_IMG_SOURCES: 'http://img.example.com' })).toEqual([
      'CSP_IMG_SOURCES: "http://img.example.com" must be https:// in production',
    ]);
  });
});

describe('STOREFRONT_DIST', () => {
  const production = { ...base, ...PRODUCTION_ENV, STOREFRONT_DIST: undefined };
  const emptyDir = () => mkdtempSync(path.join(tmpdir(), 'no-storefront-'));

  it('defaults to the storefront built next to the BFF (apps/storefront/dist)', () => {
    expect(DEFAULT_STOREFRONT_DIST).toBe(path.resolve(import.meta.dirname, '../../storefront/dist'));
  });

  it('serves the built storefront in production when unset', () => {
    const built = fakeStorefrontDist();
    expect(loadConfig(production, { storefrontDist: built }).storefrontDist).toBe(built);
    expect(loadConfig({ ...production, STOREFRONT_DIST: '' }, { storefrontDist: built }).storefrontDist).toBe(built);
  });

  it('refuses to start production when the storefront was not built', () => {
    const missing = emptyDir();
    const [problem, ...rest] = problems(production, { storefrontDist: missing });
    expect(rest).toEqual([]);
    expect(problem).toMatch(
      new RegExp(`^STOREFRONT_DIST: ${missing} has no index.html; build the storefront .*STOREFRONT_DIST=off`),
    );
  });

  it('refuses a STOREFRONT_DIST without index.html, in any environment', () => {
    const missing = emptyDir();
    expect(problems({ ...base, STOREFRONT_DIST: missing })[0]).toMatch(/^STOREFRONT_DIST: .* has no index.html/);
    expect(problems({ ...production, STOREFRONT_DIST: missing }, { storefrontDist: fakeStorefrontDist() })[0]).toMatch(
      /has no index.html/,
    );
  });

  it('STOREFRONT_DIST=off runs production API-only', () => {
    expect(
      loadConfig({ ...production, STOREFRONT_DIST: 'off' }, { storefrontDist: emptyDir() }).storefrontDist,
    ).toBeNull();
  });

  it('outside production, unset means the Vite dev server serves it', () => {
    expect(loadConfig(base, { storefrontDist: fakeStorefrontDist() }).storefrontDist).toBeNull();
  });
});

describe('WECHAT_PAY_API_VERSION=v3: credentials checked at start, one line per mistake', () => {
  const certs = path.resolve(__dirname, '../../wechat-emulator/certs');
  const file = (name: string) => path.join(certs, name);
  const serial = new X509Certificate(readFileSync(file('merchant.pem'))).serialNumber;
  const v3 = {
    ...base,
    WECHAT_PAY_API_KEY: undefined,
    WECHAT_PAY_API_VERSION: 'v3',
    WECHAT_PAY_API_V3_KEY: 'e6Kq3Vb9Tn2Lm8Rz4Wc7Yd1Fh5Jp0GsX',
    WECHAT_PAY_MERCHANT_SERIAL_NO: serial,
    WECHAT_PAY_CLIENT_KEY: file('merchant-key.pem'),
    WECHAT_PAY_CLIENT_CERT: file('merchant.pem'),
    WECHAT_PAY_PUBLIC_KEY: file('wechatpay-public-key.pem'),
    WECHAT_PAY_PUBLIC_KEY_ID: 'PUB_KEY_ID_0110000100EMULATOR0000000001',
  };

  it('v2 stays the default and needs the v2 API key; v3 does not', () => {
    expect(loadConfig(base).wechat).toMatchObject({ apiVersion: 'v2', v3: null });
    expect(problems({ ...base, WECHAT_PAY_API_KEY: undefined })).toEqual([
      'WECHAT_PAY_API_KEY: is required for WECHAT_PAY_API_VERSION=v2',
    ]);
    const c = loadConfig(v3);
    expect(c.wechat).toMatchObject({ apiVersion: 'v3', v3: { merchantSerialNo: serial, platformCertificates: false } });
    expect(c.wechat.v3!.wechatpayPublicKey!.id).toBe('PUB_KEY_ID_0110000100EMULATOR0000000001');
    expect(problems({ ...v3, WECHAT_PAY_API_VERSION: 'v4' })).toEqual([
      expect.stringMatching(/^WECHAT_PAY_API_VERSION: /),
    ]);
  });

  it('names each missing setting', () => {
    const bare = { ...base, WECHAT_PAY_API_VERSION: 'v3' };
    expect(problems(bare)).toEqual([
      'WECHAT_PAY_API_V3_KEY: is required for WECHAT_PAY_API_VERSION=v3',
      'WECHAT_PAY_MERCHANT_SERIAL_NO: is required for v3 (the serial of apiclient_cert.pem)',
      'WECHAT_PAY_CLIENT_KEY: is required for v3 (apiclient_key.pem signs every request)',
    ]);
  });

  it.each([
    ['a 31-byte APIv3 key', { WECHAT_PAY_API_V3_KEY: 'x'.repeat(31) }, /^WECHAT_PAY_API_V3_KEY: .*32 bytes/],
    [
      'a serial that is not the certificate’s',
      { WECHAT_PAY_MERCHANT_SERIAL_NO: 'ABCDEF0123456789' },
      /^WECHAT_PAY_MERCHANT_SERIAL_NO: .*not the serial/,
    ],
    [
      'another merchant key',
      { WECHAT_PAY_CLIENT_KEY: file('platform-key.pem') },
      /^WECHAT_PAY_CLIENT_KEY: .*does not belong/,
    ],
    [
      'a certificate as the key',
      { WECHAT_PAY_CLIENT_KEY: file('merchant.pem') },
      /^WECHAT_PAY_CLIENT_KEY: .*PEM RSA private key/,
    ],
    [
      'a public key id without a key',
      { WECHAT_PAY_PUBLIC_KEY: undefined },
      /^WECHAT_PAY_PUBLIC_KEY \/ WECHAT_PAY_PUBLIC_KEY_ID: set both/,
    ],
    ['a malformed public key id', { WECHAT_PAY_PUBLIC_KEY_ID: 'KEY_1' }, /^WECHAT_PAY_PUBLIC_KEY_ID: .*PUB_KEY_ID_/],
    [
      'a file that holds no key as the public key',
      { WECHAT_PAY_PUBLIC_KEY: file('README.md') },
      /^WECHAT_PAY_PUBLIC_KEY: /,
    ],
    [
      'no way to verify WeChat Pay',
      { WECHAT_PAY_PUBLIC_KEY: undefined, WECHAT_PAY_PUBLIC_KEY_ID: undefined },
      /^WECHAT_PAY_PUBLIC_KEY \/ WECHAT_PAY_PLATFORM_CERTIFICATES: .*public key/,
    ],
  ])('%s', (_what, change, message) => {
    const found = problems({ ...v3, ...change });
    expect(found).toEqual([expect.stringMatching(message)]);
    // Never the value itself.
    for (const value of Object.values(change)) if (value) expect(found.join('\n')).not.toContain(value);
  });

  it('platform-certificate mode alone, and both at once (migration), are accepted', () => {
    const platformOnly = {
      ...v3,
      WECHAT_PAY_PUBLIC_KEY: undefined,
      WECHAT_PAY_PUBLIC_KEY_ID: undefined,
      WECHAT_PAY_PLATFORM_CERTIFICATES: 'true',
    };
    expect(loadConfig(platformOnly).wechat.v3).toMatchObject({ wechatpayPublicKey: null, platformCertificates: true });
    expect(loadConfig({ ...v3, WECHAT_PAY_PLATFORM_CERTIFICATES: 'true' }).wechat.v3).toMatchObject({
      platformCertificates: true,
    });
  });
});
