/** Emulator (in-process, port 0) + BFF (real HTTP, port 0) on one storage backend. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { createEmulator, DEFAULT_MERCHANT, type V3KeyMode } from '@wxpay-shop/wechat-emulator';
import { buildXml, encryptReqInfo, randomString, sign, type SignType } from '@wxpay-shop/wechat';
import { startBff, type RunningBff } from '../../src/app';
import { loadConfig } from '../../src/config';
import type { DatabaseHandle } from '../../src/db/connect';
import { createLogger } from '../../src/logger';
import { openTestDatabase, type Backend } from './backends';
import { Browser, location } from './browser';
import { orderBody } from './delivery-address';

export const MERCHANT = {
  appId: 'wxd930ea5d5a258f4f',
  appSecret: '3f6c2a9e8b1d4075c6e2a1f9b8d3c740',
  mchId: '10000100',
  apiKey: '192006250b4c09247ec02edce69f6a2d',
};
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface Stack {
  bff: RunningBff;
  emu: ReturnType<typeof createEmulator>;
  emuUrl: string;
  database: DatabaseHandle;
  browser(userAgent?: string): Browser;
  /** Captured JSON log lines (only with captureLogs). */
  logs(): string;
  control(pathname: string, body?: unknown, method?: string): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Which WeChat Pay API the BFF speaks: v2, or v3 with the emulator signing in public-key, platform-certificate
 * or migration mode (the BFF then trusts the public key, downloads platform certificates, or both).
 */
export type PayMode = 'v2' | `v3 ${V3KeyMode}`;
export const PAY_MODES: readonly PayMode[] = ['v2', 'v3 public-key', 'v3 platform-certificate', 'v3 migration'];

/** Every backend with every mode, for `describe.each` (title: `$name, $pay`). */
export function withPayModes<B extends { name: string }>(list: readonly B[], modes: readonly PayMode[] = PAY_MODES) {
  return list.flatMap((backend) => modes.map((pay) => ({ ...backend, pay })));
}

/** The BFF's v3 settings for the emulator's test merchant, as `npm start` passes them. */
function v3Env(mode: V3KeyMode, emu: ReturnType<typeof createEmulator>, dir: string): Record<string, string> {
  const publicKey = path.join(dir, 'wechatpay-public-key.pem');
  writeFileSync(publicKey, emu.certs.wechatpayPublicKey);
  return {
    WECHAT_PAY_API_VERSION: 'v3',
    WECHAT_PAY_API_V3_KEY: DEFAULT_MERCHANT.apiV3Key,
    WECHAT_PAY_MERCHANT_SERIAL_NO: new X509Certificate(emu.certs.merchantCert).serialNumber,
    ...(mode !== 'platform-certificate'
      ? { WECHAT_PAY_PUBLIC_KEY: publicKey, WECHAT_PAY_PUBLIC_KEY_ID: emu.certs.wechatpayPublicKeyId }
      : {}),
    ...(mode !== 'public-key' ? { WECHAT_PAY_PLATFORM_CERTIFICATES: 'true' } : {}),
  };
}

/** Extra BFF env: fixed, or computed from the emulator's addresses (known only once it listens). */
type StackEnv = Record<string, string> | ((emulator: { httpUrl: string; httpsUrl: string }) => Record<string, string>);

export async function startStack(
  backend: Backend,
  env: StackEnv = {},
  options: { captureLogs?: boolean; database?: DatabaseHandle; pay?: PayMode } = {},
): Promise<Stack> {
  const mode = options.pay ?? 'v2';
  const v3Mode = mode === 'v2' ? undefined : (mode.slice(3) as V3KeyMode);
  const emu = createEmulator({
    host: '127.0.0.1',
    port: 0,
    httpsPort: 0,
    notifyTimeScale: 0.001,
    ...(v3Mode ? { v3KeyMode: v3Mode } : {}),
  });
  const { httpUrl, httpsUrl } = await emu.start();
  const dir = mkdtempSync(path.join(tmpdir(), 'bff-test-'));
  const files = {
    cert: path.join(dir, 'merchant.pem'),
    key: path.join(dir, 'merchant-key.pem'),
    ca: path.join(dir, 'ca.pem'),
  };
  writeFileSync(files.cert, emu.certs.merchantCert);
  writeFileSync(files.key, emu.certs.merchantKey);
  writeFileSync(files.ca, emu.certs.caCert);
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    SESSION_KEYS: 'test-session-key-1,test-session-key-0',
    ADMIN_TOKEN,
    WECHAT_APP_ID: MERCHANT.appId,
    WECHAT_APP_SECRET: MERCHANT.appSecret,
    WECHAT_MCH_ID: MERCHANT.mchId,
    WECHAT_PAY_API_KEY: MERCHANT.apiKey,
    WECHAT_OPEN_BASE_URL: httpUrl,
    WECHAT_API_BASE_URL: httpUrl,
    WECHAT_PAY_BASE_URL: httpUrl,
    WECHAT_PAY_SECAPI_BASE_URL: httpsUrl,
    WECHAT_PAY_CLIENT_CERT: files.cert,
    WECHAT_PAY_CLIENT_KEY: files.key,
    WECHAT_PAY_CA_CERT: files.ca,
    DATABASE_URL: 'memory://',
    RECONCILE_INTERVAL_MS: '0',
    BILL_CHECK_INTERVAL_MS: '0',
    // Every test shopper comes from 127.0.0.1: suites that test the per-IP limit set their own.
    ORDER_RATE_LIMIT: '0',
    // Tests read stock they just changed; catalog-cache.test.ts runs with the bound on.
    CATALOG_MAX_AGE_MS: '0',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(v3Mode ? v3Env(v3Mode, emu, dir) : {}),
    ...(typeof env === 'function' ? env({ httpUrl, httpsUrl }) : env),
  });
  const database = options.database ?? (await openTestDatabase(backend));
  const lines: string[] = [];
  const logger = options.captureLogs
    ? createLogger('debug', { write: (line: string) => void lines.push(line) })
    : createLogger(config.logLevel);
  const bff = await startBff(config, { database, logger });
  return {
    bff,
    emu,
    emuUrl: httpUrl,
    database,
    browser: (ua) => new Browser(bff.url, ua),
    logs: () => lines.join(''),
    control: (pathname, body, method = body === undefined ? 'GET' : 'POST') =>
      fetch(`${httpUrl}/__emulator/${pathname}`, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
      }),
    async close() {
      await bff.close();
      await emu.stop();
      await database.close();
    },
  };
}

/**
 * The stack of one describe block: started before its tests, closed after them. `stack` stands for the
 * started Stack inside tests and hooks; the helpers come bound to it, so a suite re-binds nothing.
 */
export function useStack(
  backend: Backend,
  env: StackEnv = {},
  options: {
    captureLogs?: boolean;
    clearFaultsAfterEach?: boolean;
    pay?: PayMode;
    /** Opens the database the stack runs on (another way to reach PostgreSQL, a cluster of its own). */
    database?: () => Promise<DatabaseHandle>;
  } = {},
) {
  let started: Stack | undefined;
  beforeAll(async () => {
    const database = options.database ? { database: await options.database() } : {};
    started = await startStack(backend, env, { captureLogs: options.captureLogs, pay: options.pay, ...database });
  });
  if (options.clearFaultsAfterEach) {
    afterEach(async () => {
      await started?.control('faults', undefined, 'DELETE');
    });
  }
  afterAll(async () => {
    await started?.close();
  });
  const current = (): Stack => {
    if (!started) throw new Error('useStack: the stack starts in beforeAll; use it inside tests and hooks');
    return started;
  };
  return {
    stack: new Proxy({} as Stack, { get: (_target, key) => Reflect.get(current(), key) }),
    db: () => current().database.db,
    orderRow: (outTradeNo: string) => orderRow(current(), outTradeNo),
    setStock: (productId: string, stock: number) => setStock(current(), productId, stock),
    stockOf: (productId: string) => stockOf(current(), productId),
  };
}

/** A stand-in for apps/storefront/dist (STOREFRONT_DIST): index.html and assets/app.js. */
export function fakeStorefrontDist(): string {
  const dist = mkdtempSync(path.join(tmpdir(), 'storefront-dist-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>微信小店</title><div id="app"></div>');
  writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log("app")');
  return dist;
}

/** login → emulator's silent snsapi_base authorize → callback; returns the final redirect. */
export async function signIn(stack: Stack, browser: Browser, returnTo = '/orders'): Promise<string> {
  const login = await browser.get(`/api/auth/login?returnTo=${encodeURIComponent(returnTo)}`);
  if (login.status !== 302) throw new Error(`login answered ${login.status}`);
  const authorize = await fetch(location(login), { redirect: 'manual', headers: { 'User-Agent': browser.userAgent } });
  if (authorize.status !== 302) throw new Error(`authorize answered ${authorize.status}: ${await authorize.text()}`);
  const callback = await browser.get(location(authorize));
  if (callback.status !== 302) throw new Error(`callback answered ${callback.status}: ${await callback.text()}`);
  return location(callback);
}

/**
 * snsapi_userinfo login → the emulator's consent page → Allow as `userId`: the callback URL WeChat
 * would send the browser to (not yet followed, so a test can break WeChat in between).
 */
export async function consentedCallback(
  stack: Stack,
  browser: Browser,
  userId: string,
  returnTo: string,
): Promise<string> {
  const login = await browser.get(`/api/auth/login?scope=snsapi_userinfo&returnTo=${encodeURIComponent(returnTo)}`);
  if (login.status !== 302) throw new Error(`login answered ${login.status}`);
  const consent = await fetch(location(login), { headers: { 'User-Agent': browser.userAgent } });
  if (consent.status !== 200) throw new Error(`authorize answered ${consent.status}, not the consent page`);
  const request = /name="request" value="([^"]+)"/.exec(await consent.text())?.[1];
  if (!request) throw new Error('no consent request on the authorize page');
  const allow = await fetch(`${stack.emuUrl}/__emulator/oauth/consent`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ request, decision: 'allow', userId }),
  });
  if (allow.status !== 302) throw new Error(`consent answered ${allow.status}`);
  return location(allow);
}

/** A pay notification as WeChat would send it, signed with `key`. */
export function payNotifyXml(
  fields: {
    outTradeNo: string;
    totalFee: number;
    transactionId?: string;
    openid?: string;
    nonceStr?: string;
    tradeType?: string;
    feeType?: string;
  },
  key = MERCHANT.apiKey,
  signType: SignType = 'MD5',
  tamper?: (signed: Record<string, string>) => void,
): string {
  const params: Record<string, string> = {
    return_code: 'SUCCESS',
    appid: MERCHANT.appId,
    mch_id: MERCHANT.mchId,
    nonce_str: fields.nonceStr ?? randomString(32),
    result_code: 'SUCCESS',
    openid: fields.openid ?? 'oTestOpenid0000000000000000',
    is_subscribe: 'N',
    trade_type: fields.tradeType ?? 'NATIVE',
    bank_type: 'CFT',
    total_fee: String(fields.totalFee),
    fee_type: fields.feeType ?? 'CNY',
    cash_fee: String(fields.totalFee),
    transaction_id: fields.transactionId ?? `4200${Date.now()}${Math.floor(Math.random() * 1e9)}`.slice(0, 28),
    out_trade_no: fields.outTradeNo,
    time_end: '20261126120000',
    ...(signType === 'HMAC-SHA256' ? { sign_type: 'HMAC-SHA256' } : {}),
  };
  const signed = { ...params, sign: sign(params, key, signType) };
  tamper?.(signed);
  return buildXml(signed);
}

/** A refund notification as WeChat would send it: no sign, `req_info` encrypted with the merchant key. */
export function refundNotifyXml(
  r: { outTradeNo: string; outRefundNo: string; refundFen: number; totalFen: number },
  refundStatus: string,
): string {
  const inner = buildXml(
    {
      transaction_id: '4200000000202611260000000001',
      out_trade_no: r.outTradeNo,
      refund_id: '50300000000000000000000000077',
      out_refund_no: r.outRefundNo,
      total_fee: String(r.totalFen),
      refund_fee: String(r.refundFen),
      refund_status: refundStatus,
      success_time: '2026-11-26 12:05:00',
    },
    'root',
  );
  return buildXml({
    return_code: 'SUCCESS',
    appid: MERCHANT.appId,
    mch_id: MERCHANT.mchId,
    nonce_str: 'n',
    req_info: encryptReqInfo(inner, MERCHANT.apiKey),
  });
}

/** The BFF's XML replies to notifications. */
export const SUCCESS_XML = /<return_code><!\[CDATA\[SUCCESS\]\]><\/return_code>/;
export const FAIL_XML = /<return_code><!\[CDATA\[FAIL\]\]><\/return_code>/;

export async function postNotify(stack: Stack, xml: string | Buffer, path = '/api/wechat/pay/notify') {
  const res = await fetch(`${stack.bff.url}${path}`, {
    method: 'POST',
    body: xml,
    headers: { 'Content-Type': 'text/xml' },
  });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

/** Polls `probe` until it is truthy. The deadline only bounds a hang: generous, so a busy machine still passes. */
export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function createOrder(browser: Browser, items = [{ productId: 'green-tea', quantity: 2 }]) {
  const res = await browser.post('/api/orders', orderBody(items));
  if (res.status !== 201) throw new Error(`create order answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { outTradeNo: string; totalFen: number; status: string };
}

/** An order created, paid by NATIVE QR on the emulator and settled by its notification. */
export async function paidOrder(stack: Stack, items = [{ productId: 'green-tea', quantity: 2 }]) {
  const browser = stack.browser();
  const order = await createOrder(browser, items);
  const pay = await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' });
  if (pay.status !== 200) throw new Error(`pay answered ${pay.status}: ${await pay.text()}`);
  await stack.emu.pay(order.outTradeNo);
  await waitFor(async () => (await orderRow(stack, order.outTradeNo)).status === 'PAID');
  return { browser, order };
}

export function orderRow(stack: Stack, outTradeNo: string) {
  return stack.database.db
    .selectFrom('orders')
    .selectAll()
    .where('out_trade_no', '=', outTradeNo)
    .executeTakeFirstOrThrow();
}

export async function stockOf(stack: Stack, productId: string): Promise<number> {
  return (
    await stack.database.db.selectFrom('products').select('stock').where('id', '=', productId).executeTakeFirstOrThrow()
  ).stock;
}

export function setStock(stack: Stack, productId: string, stock: number) {
  return stack.database.db.updateTable('products').set({ stock }).where('id', '=', productId).execute();
}

/** Moves an order's expiry a minute into the past (database clock). */
export function expireOrder(stack: Stack, outTradeNo: string) {
  return stack.database.db
    .updateTable('orders')
    .set({ expires_at: sql<Date>`now() - interval '1 minute'` })
    .where('out_trade_no', '=', outTradeNo)
    .execute();
}

/** The operator's refund call: Bearer ADMIN_TOKEN unless another token (or none) is given; no body when `body` is undefined. */
export function adminRefund(
  stack: Stack,
  outTradeNo: string,
  body: unknown = {},
  token: string | null = ADMIN_TOKEN,
  headers: Record<string, string> = {},
) {
  return fetch(`${stack.bff.url}/api/admin/orders/${outTradeNo}/refund`, {
    method: 'POST',
    headers: {
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
