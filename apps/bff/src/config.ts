/**
 * Runtime configuration, read once from the environment and validated with zod so a
 * misconfigured deployment fails at start with one clear line per bad variable.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SignTypeSchema, type SignType } from '@wxpay-shop/contract';
import { readV3Credentials, type PayV3Credentials } from './pay-credentials';

/** The emulator's public test merchant and the dev defaults: fine locally, refused in production. */
const TEST_APP_SECRET = '3f6c2a9e8b1d4075c6e2a1f9b8d3c740';
const TEST_PAY_API_KEY = '192006250b4c09247ec02edce69f6a2d';
const TEST_PAY_API_V3_KEY = 'e6Kq3Vb9Tn2Lm8Rz4Wc7Yd1Fh5Jp0GsX';
export const DEV_SESSION_KEYS = 'dev-session-key-change-me';
export const DEV_ADMIN_TOKEN = 'dev-admin-token';

const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where `vite build` puts the storefront; production serves it unless STOREFRONT_DIST says otherwise. */
export const DEFAULT_STOREFRONT_DIST = path.resolve(appRoot, '../storefront/dist');
/** STOREFRONT_DIST=off: an API-only deployment (the storefront is served elsewhere). */
const STOREFRONT_OFF = 'off';

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const opt = <T extends z.ZodType>(schema: T) => z.preprocess(emptyToUndefined, schema.optional());
const url = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));
const intFrom = (def: number, min: number, max: number) =>
  z.preprocess(emptyToUndefined, z.coerce.number().int().min(min).max(max).default(def));
const CSP_ORIGIN = /^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/i;
// The absolute path in the message: `pnpm --filter` runs the BFF from apps/bff, not where the command was typed.
const readableFile = z.string().superRefine((p, ctx) => {
  if (!existsSync(p)) ctx.addIssue({ code: 'custom', message: `file does not exist (${path.resolve(p)})` });
});

const EnvSchema = z.object({
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(['development', 'test', 'production']).default('development')),
  PORT: intFrom(3000, 0, 65535),
  HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  TRUST_PROXY: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: 'must be the number of trusted proxy hops (0 = off)' })
      .int('must be the number of trusted proxy hops (0 = off)')
      .min(0, 'must be the number of trusted proxy hops (0 = off)')
      .max(10, 'more than 10 proxy hops is surely a mistake')
      .default(0),
  ),
  PUBLIC_BASE_URL: opt(url),
  SESSION_KEYS: opt(z.string()),
  ADMIN_TOKEN: opt(z.string()),
  WECHAT_APP_ID: z.string({ error: 'is required' }).regex(/^wx[0-9a-zA-Z]{16}$/, 'must look like wx + 16 characters'),
  WECHAT_APP_SECRET: z.string({ error: 'is required' }).min(16, 'looks too short'),
  WECHAT_MCH_ID: z.string({ error: 'is required' }).regex(/^\d{6,20}$/, 'must be digits'),
  WECHAT_PAY_API_VERSION: z.preprocess(emptyToUndefined, z.enum(['v2', 'v3']).default('v2')),
  // v2 only (checked below): the 32-character API key.
  WECHAT_PAY_API_KEY: opt(z.string().length(32, 'must be exactly 32 characters')),
  WECHAT_PAY_SIGN_TYPE: z.preprocess(emptyToUndefined, z.enum(SignTypeSchema.options).default('MD5')),
  WECHAT_OPEN_BASE_URL: z.preprocess(emptyToUndefined, url.default('https://open.weixin.qq.com')),
  WECHAT_API_BASE_URL: z.preprocess(emptyToUndefined, url.default('https://api.weixin.qq.com')),
  WECHAT_PAY_BASE_URL: z.preprocess(emptyToUndefined, url.default('https://api.mch.weixin.qq.com')),
  WECHAT_PAY_SECAPI_BASE_URL: opt(url),
  WECHAT_PAY_CLIENT_CERT: opt(readableFile),
  WECHAT_PAY_CLIENT_KEY: opt(readableFile),
  WECHAT_PAY_CA_CERT: opt(readableFile),
  // API v3 (checked in pay-credentials.ts when WECHAT_PAY_API_VERSION=v3).
  WECHAT_PAY_API_V3_KEY: opt(z.string()),
  WECHAT_PAY_MERCHANT_SERIAL_NO: opt(z.string()),
  WECHAT_PAY_PUBLIC_KEY: opt(readableFile),
  WECHAT_PAY_PUBLIC_KEY_ID: opt(z.string()),
  WECHAT_PAY_PLATFORM_CERTIFICATES: z.preprocess(
    emptyToUndefined,
    z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  ),
  WECHAT_PAY_NOTIFY_URL: opt(url),
  WECHAT_REFUND_NOTIFY_URL: opt(url),
  DATABASE_URL: opt(z.string().regex(/^(postgres(ql)?:\/\/|memory:\/\/)/, 'must be a postgres:// URL or memory://')),
  PGLITE_DIR: opt(z.string()),
  // ≥ 10: payment starts only while time_expire (the order's expiry) is ≥ 6 minutes ahead (pay-routes).
  ORDER_TTL_MINUTES: intFrom(30, 10, 7 * 24 * 60),
  RECONCILE_INTERVAL_MS: intFrom(15_000, 0, 3_600_000),
  // How old the catalog (GET /api/products) served from memory may be; 0 reads the database for every request.
  CATALOG_MAX_AGE_MS: intFrom(1_000, 0, 60_000),
  // 已发货 orders become 已完成 this many days after shipping unless the shopper confirms first.
  AUTO_RECEIVE_DAYS: intFrom(10, 1, 60),
  // The one shop name: storefront header and title (GET /api/shop), and the pay body WeChat shows.
  SHOP_NAME: z.preprocess(emptyToUndefined, z.string().trim().min(1).max(20).default('微信小店')),
  // The product page's 客服 entry offers this number to call (unset = no number, only the after-sale path).
  SHOP_SERVICE_PHONE: opt(
    z
      .string()
      .trim()
      .regex(/^\+?[0-9][0-9 -]{4,19}$/, 'must be a phone number'),
  ),
  BILL_CHECK_INTERVAL_MS: intFrom(300_000, 0, 3_600_000),
  OPERATOR_REFUND_LIMIT_FEN: intFrom(50_000, 0, 100_000_000),
  // Order creation holds stock, so it is limited per client IP and per shopper (0 = no limit).
  ORDER_RATE_LIMIT: intFrom(20, 0, 100_000),
  ORDER_RATE_WINDOW_SECONDS: intFrom(60, 1, 3_600),
  MAX_PENDING_ORDERS: intFrom(5, 0, 10_000),
  // Node's default is 300 s for a request (headers + body): a trickled body would hold a connection that long.
  HTTP_REQUEST_TIMEOUT_MS: intFrom(30_000, 1_000, 600_000),
  HTTP_HEADERS_TIMEOUT_MS: opt(z.coerce.number().int().min(1_000).max(600_000)),
  // Prometheus metrics on a listener of their own (unset = none); off loopback only with a bearer token.
  METRICS_PORT: opt(z.coerce.number().int().min(0).max(65535)),
  METRICS_HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  METRICS_TOKEN: opt(z.string().min(16, 'needs at least 16 characters')),
  SHUTDOWN_GRACE_MS: intFrom(10_000, 0, 600_000),
  STOREFRONT_DIST: opt(z.string()),
  ADMIN_DIST: opt(z.string()),
  /** `name:password` of an admin operator created at start if absent; development and test only. */
  DEV_OPERATOR: opt(
    z.string().regex(/^[a-z0-9][a-z0-9._-]{1,31}:.{12,}$/, 'must be name:password (password ≥ 12 characters)'),
  ),
  CSP_IMG_SOURCES: opt(z.string()),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
});

export type Database = { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string | null };

/** The configuration the app runs with: its type follows from EnvSchema through toConfig, never written out. */
export type Config = ReturnType<typeof toConfig>;

/** DATABASE_URL / PGLITE_DIR → where the BFF keeps its data (dev default: PGlite in apps/bff/.data). */
export function databaseOf(e: { DATABASE_URL?: string | undefined; PGLITE_DIR?: string | undefined }): Database {
  const url = e.DATABASE_URL?.trim() || undefined;
  if (url === undefined) return { kind: 'pglite', dataDir: e.PGLITE_DIR?.trim() || path.join(appRoot, '.data/pglite') };
  if (url === 'memory://') return { kind: 'pglite', dataDir: null };
  return { kind: 'postgres', url };
}
type Env = z.output<typeof EnvSchema>;

/** The sign type of the pay params this configuration hands the page: the v2 sign type, or RSA on v3. */
export function pageSignTypeOf(config: Pick<Config, 'wechat'>): SignType | 'RSA' {
  return config.wechat.apiVersion === 'v3' ? 'RSA' : config.wechat.signType;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Validates `env` (usually process.env); throws ConfigError listing every problem.
 * `defaults.storefrontDist` only lets tests point the production default elsewhere.
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  defaults: { storefrontDist?: string } = {},
): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      // Unset is told from malformed by the env itself: a coerced number reports NaN input either way.
      parsed.error.issues.map(
        (i) =>
          `${i.path.join('.') || '(env)'}: ${i.code === 'invalid_type' && env[String(i.path[0])] === undefined ? 'is required' : i.message}`,
      ),
    );
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';
  const problems: string[] = [];

  const sessionKeys = (e.SESSION_KEYS ?? (production ? '' : DEV_SESSION_KEYS))
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  const adminToken = e.ADMIN_TOKEN ?? (production ? '' : DEV_ADMIN_TOKEN);
  if (sessionKeys.length === 0) problems.push('SESSION_KEYS: is required in production');
  if (!adminToken) problems.push('ADMIN_TOKEN: is required in production');
  if (production && e.DEV_OPERATOR)
    problems.push('DEV_OPERATOR: is for development only; create operators with operator:add');
  const v3 = e.WECHAT_PAY_API_VERSION === 'v3';
  if (!v3 && e.WECHAT_PAY_API_KEY === undefined)
    problems.push('WECHAT_PAY_API_KEY: is required for WECHAT_PAY_API_VERSION=v2');
  if (!v3 && (e.WECHAT_PAY_CLIENT_CERT === undefined) !== (e.WECHAT_PAY_CLIENT_KEY === undefined)) {
    problems.push('WECHAT_PAY_CLIENT_CERT / WECHAT_PAY_CLIENT_KEY: set both or neither');
  }
  let v3Credentials: PayV3Credentials | null = null;
  if (v3) {
    const checked = readV3Credentials({
      mchId: e.WECHAT_MCH_ID,
      apiV3Key: e.WECHAT_PAY_API_V3_KEY,
      merchantSerialNo: e.WECHAT_PAY_MERCHANT_SERIAL_NO,
      merchantKeyPath: e.WECHAT_PAY_CLIENT_KEY,
      merchantCertPath: e.WECHAT_PAY_CLIENT_CERT,
      publicKeyPath: e.WECHAT_PAY_PUBLIC_KEY,
      publicKeyId: e.WECHAT_PAY_PUBLIC_KEY_ID,
      platformCertificates: e.WECHAT_PAY_PLATFORM_CERTIFICATES === 'true',
    });
    if ('problems' in checked) problems.push(...checked.problems);
    else v3Credentials = checked.credentials;
  }
  // Refunds present the client certificate, which only TLS can carry: an http URL would fail every refund.
  if (
    !v3 &&
    e.WECHAT_PAY_CLIENT_CERT !== undefined &&
    !(e.WECHAT_PAY_SECAPI_BASE_URL ?? e.WECHAT_PAY_BASE_URL).startsWith('https://')
  ) {
    problems.push(
      'WECHAT_PAY_SECAPI_BASE_URL: must be https:// when a client certificate is set (refunds use mutual TLS); it defaults to WECHAT_PAY_BASE_URL',
    );
  }
  const cspImgSources = (e.CSP_IMG_SOURCES ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((s) => s.replace(/\/+$/, ''));
  for (const source of cspImgSources) {
    // Origins only: a keyword ('unsafe-inline'), a bare scheme (https:) or a ';' would widen or break the policy.
    if (!CSP_ORIGIN.test(source))
      problems.push(
        `CSP_IMG_SOURCES: "${source}" is not an origin like https://img.example.com or https://*.example.com`,
      );
    else if (production && !source.startsWith('https://'))
      problems.push(`CSP_IMG_SOURCES: "${source}" must be https:// in production`);
  }
  if (production) {
    if (e.WECHAT_APP_SECRET === TEST_APP_SECRET)
      problems.push('WECHAT_APP_SECRET: the public test secret is not allowed in production');
    if (e.WECHAT_PAY_API_V3_KEY === TEST_PAY_API_V3_KEY)
      problems.push('WECHAT_PAY_API_V3_KEY: the public test key is not allowed in production');
    if (e.WECHAT_PAY_API_KEY === TEST_PAY_API_KEY)
      problems.push('WECHAT_PAY_API_KEY: the public test key is not allowed in production');
    if (sessionKeys.some((k) => k === DEV_SESSION_KEYS || k.length < 16)) {
      problems.push('SESSION_KEYS: production keys must not be the dev default and need at least 16 characters each');
    }
    if (adminToken && (adminToken === DEV_ADMIN_TOKEN || adminToken.length < 16)) {
      problems.push('ADMIN_TOKEN: must not be the dev default and needs at least 16 characters in production');
    }
    if (!e.PUBLIC_BASE_URL) problems.push('PUBLIC_BASE_URL: is required in production');
    // Production cookies are Secure, and a browser never sends those back over http: sign-in would loop.
    else if (!e.PUBLIC_BASE_URL.startsWith('https://'))
      problems.push('PUBLIC_BASE_URL: must be https:// in production (session cookies are Secure)');
  }
  const headersTimeoutMs = e.HTTP_HEADERS_TIMEOUT_MS ?? Math.min(e.HTTP_REQUEST_TIMEOUT_MS, 20_000);
  // Node refuses to create a server whose headers may take longer than the whole request.
  if (headersTimeoutMs > e.HTTP_REQUEST_TIMEOUT_MS)
    problems.push('HTTP_HEADERS_TIMEOUT_MS: must not exceed HTTP_REQUEST_TIMEOUT_MS');
  // Metrics name no shopper, but they tell anyone how the shop is doing: off loopback, only with a token.
  if (e.METRICS_PORT !== undefined && !e.METRICS_TOKEN && !isLoopback(e.METRICS_HOST)) {
    problems.push(`METRICS_TOKEN: is required when METRICS_HOST (${e.METRICS_HOST}) is not a loopback address`);
  }
  const storefrontDist = storefrontDistOf(
    e.STOREFRONT_DIST,
    production,
    defaults.storefrontDist ?? DEFAULT_STOREFRONT_DIST,
    problems,
  );
  if (problems.length > 0) throw new ConfigError(problems);

  const database = databaseOf(e);

  return toConfig(e, {
    sessionKeys,
    adminToken,
    database,
    headersTimeoutMs,
    storefrontDist,
    cspImgSources,
    v3: v3Credentials,
  });
}

/** Names the validated variables for the app; `checked` holds what loadConfig derived and checked across them. */
function toConfig(
  e: Env,
  checked: {
    sessionKeys: string[];
    adminToken: string;
    database: Database;
    headersTimeoutMs: number;
    storefrontDist: string | null;
    cspImgSources: string[];
    /** v3 credentials, read and checked; null on v2. */
    v3: PayV3Credentials | null;
  },
) {
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    /** Reverse proxies in front of us whose X-Forwarded-For entries are believed; 0 = use the socket address. */
    trustProxyHops: e.TRUST_PROXY,
    /** Origin the shopper's browser uses; null = the BFF's own listen address (resolved after listen). */
    publicBaseUrl: e.PUBLIC_BASE_URL ?? null,
    sessionKeys: checked.sessionKeys,
    adminToken: checked.adminToken,
    wechat: {
      appId: e.WECHAT_APP_ID,
      appSecret: e.WECHAT_APP_SECRET,
      mchId: e.WECHAT_MCH_ID,
      /** v2 (default) or v3; the order, notify, refund and reconciler logic is the same for both. */
      apiVersion: e.WECHAT_PAY_API_VERSION,
      /** v2 API key ('' on v3). */
      apiKey: e.WECHAT_PAY_API_KEY ?? '',
      signType: e.WECHAT_PAY_SIGN_TYPE,
      /** v3 credentials, read and checked at start; null on v2. */
      v3: checked.v3,
      openBaseUrl: e.WECHAT_OPEN_BASE_URL,
      apiBaseUrl: e.WECHAT_API_BASE_URL,
      payBaseUrl: e.WECHAT_PAY_BASE_URL,
      secapiBaseUrl: e.WECHAT_PAY_SECAPI_BASE_URL ?? e.WECHAT_PAY_BASE_URL,
      clientCertPath: e.WECHAT_PAY_CLIENT_CERT ?? null,
      clientKeyPath: e.WECHAT_PAY_CLIENT_KEY ?? null,
      caCertPath: e.WECHAT_PAY_CA_CERT ?? null,
      payNotifyUrl: e.WECHAT_PAY_NOTIFY_URL ?? null,
      refundNotifyUrl: e.WECHAT_REFUND_NOTIFY_URL ?? null,
    },
    database: checked.database,
    orderTtlMinutes: e.ORDER_TTL_MINUTES,
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    /** The catalog's staleness bound: stock shown may lag the database by this much (orders check it there). */
    catalogMaxAgeMs: e.CATALOG_MAX_AGE_MS,
    /** 已发货 orders become 已完成 this many days after shipping. */
    autoReceiveDays: e.AUTO_RECEIVE_DAYS,
    /** The shop's one name: storefront header (GET /api/shop) and the pay body. */
    shopName: e.SHOP_NAME,
    /** 客服 telephone offered on product pages (GET /api/shop), or null. */
    servicePhone: e.SHOP_SERVICE_PHONE ?? null,
    /** How often the BFF checks whether yesterday's bill is due (from 10:00 Beijing) and unreconciled; 0 = never. */
    billCheckIntervalMs: e.BILL_CHECK_INTERVAL_MS,
    /** The most one refund by an `operator`-role account may return (admins and ADMIN_TOKEN have no cap). */
    operatorRefundLimitFen: e.OPERATOR_REFUND_LIMIT_FEN,
    /** POST /api/orders per client and window (0 = unlimited); shared by all instances on PostgreSQL. */
    orderRateLimit: { limit: e.ORDER_RATE_LIMIT, windowMs: e.ORDER_RATE_WINDOW_SECONDS * 1000 },
    /** Unexpired PENDING orders one shopper may hold at once (0 = unlimited). */
    maxPendingOrders: e.MAX_PENDING_ORDERS,
    /** Node's server timeouts: a client must send its headers, and its whole request, within these. */
    http: { headersTimeoutMs: checked.headersTimeoutMs, requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS },
    /** The Prometheus listener (null = none) and the bearer token a scrape must present (null = none). */
    metrics:
      e.METRICS_PORT === undefined
        ? null
        : { port: e.METRICS_PORT, host: e.METRICS_HOST, token: e.METRICS_TOKEN ?? null },
    /** On SIGTERM, how long requests in flight may take to finish before their connections are closed. */
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    storefrontDist: checked.storefrontDist,
    /** The built operator console, served under /admin; null = not served (dev uses its Vite server). */
    devOperator: e.DEV_OPERATOR
      ? { name: e.DEV_OPERATOR.split(':')[0]!, password: e.DEV_OPERATOR.slice(e.DEV_OPERATOR.indexOf(':') + 1) }
      : null,
    adminDist: adminDistOf(e.ADMIN_DIST, e.NODE_ENV === 'production'),
    /** Extra img-src origins for the storefront's Content-Security-Policy (e.g. a product-image CDN). */
    cspImgSources: checked.cspImgSources,
    logLevel: e.LOG_LEVEL,
  };
}

const isLoopback = (host: string): boolean =>
  /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' || host === 'localhost';

/**
 * The built storefront to serve, or null. Production serves the one built next to the BFF unless
 * told otherwise, and refuses to start without its index.html: a shop whose every page is a 404
 * should fail at deploy, not in front of shoppers. Elsewhere the Vite dev server serves it.
 */
function storefrontDistOf(
  value: string | undefined,
  production: boolean,
  defaultDist: string,
  problems: string[],
): string | null {
  if (value?.trim().toLowerCase() === STOREFRONT_OFF) return null;
  const dist = value ?? (production ? defaultDist : undefined);
  if (dist === undefined) return null;
  if (!existsSync(path.join(dist, 'index.html'))) {
    problems.push(
      `STOREFRONT_DIST: ${dist} has no index.html; build the storefront (./scripts/pnpm.sh --filter @wxpay-shop/storefront build), ` +
        `point STOREFRONT_DIST at its dist folder, or set STOREFRONT_DIST=${STOREFRONT_OFF} for an API-only deployment`,
    );
  }
  return dist;
}

/** ADMIN_DIST, or in production apps/admin/dist when it was built; `off` never serves the console. */
function adminDistOf(value: string | undefined, production: boolean): string | null {
  if (value?.trim().toLowerCase() === STOREFRONT_OFF) return null;
  const dist = value ?? (production ? path.resolve(appRoot, '../admin/dist') : undefined);
  return dist !== undefined && existsSync(path.join(dist, 'index.html')) ? dist : null;
}
