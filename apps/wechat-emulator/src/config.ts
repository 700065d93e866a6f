/** Emulator configuration: merchants and options, with defaults resolved in one place. */
import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { parseOrigin } from './http/origin';
import { notifyUrlProblem } from './pay/rules';

export interface MerchantConfig {
  /** Official Account AppID bound to this merchant. */
  appId: string;
  appSecret: string;
  mchId: string;
  /** 32-char v2 API key. */
  apiKey: string;
  /** Web-authorization callback host names (exact match, no port). */
  oauthDomains: string[];
  /** Shown on the pay sheet; defaults to a generic test name. */
  name?: string;
  /**
   * Refund-result notify URL set in the merchant console: used when a refund request names none
   * (without either, WeChat sends no refund notification).
   */
  refundNotifyUrl?: string;
  /** This merchant's notification retry time scale, overriding the emulator-wide one. */
  notifyTimeScale?: number;
  /** API IP allowlist (IP白名单) for /cgi-bin/token and stable_token: others get 40164. Absent = any IP. */
  apiIpAllowlist?: string[];
  /** JS interface safe domains (JS接口安全域名): host names whose pages may `wx.config`. Absent = oauthDomains. */
  jsSafeDomains?: string[];
  /** API v3: the 32-byte APIv3 key (notifications and /v3/certificates are encrypted with it); no v3 without it. */
  apiV3Key?: string;
  /** API v3: how WeChat Pay signs for this merchant (overrides the emulator-wide `v3KeyMode`). */
  v3KeyMode?: V3KeyMode;
  /** H5 pay domains (H5支付域名): the Referer and redirect_url hosts the H5 page accepts; default oauthDomains. */
  h5Domains?: string[];
}

/** Lifetimes and limits of the global access_token and jsapi_ticket (§1.10–1.11). */
export interface JssdkLimits {
  tokenTtlSec: number;
  ticketTtlSec: number;
  /** /cgi-bin/token calls per appid and day (WeChat: about 2000), then 45009. */
  tokenDailyQuota: number;
  /** stable_token calls per appid and day in normal mode (WeChat: 500 000), then 45009. */
  stableTokenDailyQuota: number;
  /** Force refreshes per appid and day (WeChat: 20), then 45009. */
  forceRefreshDailyLimit: number;
  /** Least time between two force refreshes (WeChat: 30 s), else 45011. */
  forceRefreshMinIntervalMs: number;
}

export const DEFAULT_JSSDK_LIMITS: JssdkLimits = {
  tokenTtlSec: 7200,
  ticketTtlSec: 7200,
  tokenDailyQuota: 2000,
  stableTokenDailyQuota: 500_000,
  forceRefreshDailyLimit: 20,
  forceRefreshMinIntervalMs: 30_000,
};

/**
 * public-key: answers and notifications signed with the WeChat Pay public key (PUB_KEY_ID_…), merchants
 * onboarded since late 2024; platform-certificate: with the platform certificate from /v3/certificates;
 * migration: notifications signed by either, at random, and answers by the public key.
 */
export const V3_KEY_MODES = ['public-key', 'platform-certificate', 'migration'] as const;
export type V3KeyMode = (typeof V3_KEY_MODES)[number];

export const DEFAULT_MERCHANT = {
  appId: 'wxd930ea5d5a258f4f',
  appSecret: '3f6c2a9e8b1d4075c6e2a1f9b8d3c740',
  mchId: '10000100',
  apiKey: '192006250b4c09247ec02edce69f6a2d',
  apiV3Key: 'e6Kq3Vb9Tn2Lm8Rz4Wc7Yd1Fh5Jp0GsX',
  oauthDomains: ['localhost', '127.0.0.1'],
};

export interface EmulatorOptions {
  host?: string;
  port?: number;
  httpsPort?: number;
  publicUrl?: string;
  merchants?: MerchantConfig[];
  notifyTimeScale?: number;
  codeTtlMs?: number;
  accessTokenTtlSec?: number;
  /** PROCESSING → SUCCESS delay for refunds; defaults to 3 s × notifyTimeScale (≥ 20 ms). */
  refundDelayMs?: number;
  /** JSON file the state is loaded from at creation and saved to after changes; absent = in memory only. */
  stateFile?: string;
  /**
   * Origins of shop pages that run /bridge.js (e.g. the dev storefront, `http://127.0.0.1:5173`):
   * the only other origins that may use the pay sheet's endpoints. None by default.
   */
  allowedOrigins?: string[];
  jssdk?: Partial<JssdkLimits>;
  /** API v3 key mode of merchants that do not set their own; default public-key. */
  v3KeyMode?: V3KeyMode;
  log?: (line: string) => void;
}

export interface ResolvedConfig {
  host: string;
  port: number;
  httpsPort: number;
  /** Fixed by options; otherwise filled in once the HTTP port is known. */
  publicUrl: string | undefined;
  merchants: MerchantConfig[];
  notifyTimeScale: number;
  codeTtlMs: number;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  refundDelayMs: number;
  /** The merchant must answer a notification within this time, whatever the time scale. */
  notifyTimeoutMs: number;
  prepayTtlMs: number;
  stateFile: string | undefined;
  allowedOrigins: ReadonlySet<string>;
  jssdk: JssdkLimits;
  v3KeyMode: V3KeyMode;
  /** An H5 pay URL (mweb_url / h5_url) opens within this time of the prepay (5 minutes). */
  h5UrlTtlMs: number;
  log: (line: string) => void;
}

export function resolveConfig(options: EmulatorOptions = {}): ResolvedConfig {
  const merchants = options.merchants ?? [DEFAULT_MERCHANT];
  validateMerchants(merchants);
  const notifyTimeScale = options.notifyTimeScale ?? 1;
  if (!(notifyTimeScale > 0)) throw new Error('notifyTimeScale must be > 0');
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 4000,
    httpsPort: options.httpsPort ?? 4001,
    publicUrl: options.publicUrl?.replace(/\/+$/, ''),
    merchants,
    notifyTimeScale,
    codeTtlMs: options.codeTtlMs ?? 300_000,
    accessTokenTtlSec: options.accessTokenTtlSec ?? 7200,
    refreshTokenTtlSec: 30 * 24 * 3600,
    refundDelayMs: options.refundDelayMs ?? Math.max(20, Math.round(3000 * notifyTimeScale)),
    notifyTimeoutMs: 5000,
    prepayTtlMs: 2 * 3600_000,
    stateFile: options.stateFile || undefined,
    allowedOrigins: new Set((options.allowedOrigins ?? []).map(parseOrigin)),
    jssdk: { ...DEFAULT_JSSDK_LIMITS, ...options.jssdk },
    v3KeyMode: checkKeyMode(options.v3KeyMode ?? 'public-key', 'v3KeyMode'),
    h5UrlTtlMs: 5 * 60_000,
    log: options.log ?? (() => {}),
  };
}

function validateMerchants(merchants: readonly MerchantConfig[]): void {
  if (merchants.length === 0) throw new Error('at least one merchant is required');
  const appIds = new Set<string>();
  for (const m of merchants) {
    for (const field of ['appId', 'appSecret', 'mchId', 'apiKey'] as const) {
      if (typeof m[field] !== 'string' || m[field] === '')
        throw new Error(`merchant ${field} must be a non-empty string`);
    }
    if (m.apiKey.length !== 32) throw new Error(`merchant ${m.mchId}: apiKey must be exactly 32 characters`);
    if (!Array.isArray(m.oauthDomains)) throw new Error(`merchant ${m.mchId}: oauthDomains must be an array`);
    if (m.refundNotifyUrl !== undefined) {
      const problem = typeof m.refundNotifyUrl === 'string' ? notifyUrlProblem(m.refundNotifyUrl) : 'must be a string';
      if (problem) throw new Error(`merchant ${m.mchId}: refundNotifyUrl ${problem}`);
    }
    if (m.notifyTimeScale !== undefined && !(typeof m.notifyTimeScale === 'number' && m.notifyTimeScale > 0)) {
      throw new Error(`merchant ${m.mchId}: notifyTimeScale must be a number > 0`);
    }
    for (const field of ['apiIpAllowlist', 'jsSafeDomains'] as const) {
      const list = m[field];
      if (list !== undefined && !(Array.isArray(list) && list.every((v) => typeof v === 'string'))) {
        throw new Error(`merchant ${m.mchId}: ${field} must be an array of strings`);
      }
    }
    if (m.apiV3Key !== undefined && (typeof m.apiV3Key !== 'string' || Buffer.byteLength(m.apiV3Key) !== 32)) {
      throw new Error(`merchant ${m.mchId}: apiV3Key must be exactly 32 bytes`);
    }
    if (m.v3KeyMode !== undefined) checkKeyMode(m.v3KeyMode, `merchant ${m.mchId}: v3KeyMode`);
    if (m.h5Domains !== undefined && !(Array.isArray(m.h5Domains) && m.h5Domains.every((d) => typeof d === 'string'))) {
      throw new Error(`merchant ${m.mchId}: h5Domains must be an array of host names`);
    }
    // One appid belongs to one merchant here, so appid → merchant lookups stay unambiguous.
    if (appIds.has(m.appId)) throw new Error(`appId ${m.appId} configured twice`);
    appIds.add(m.appId);
  }
}

function checkKeyMode(mode: unknown, what: string): V3KeyMode {
  if (!V3_KEY_MODES.includes(mode as V3KeyMode)) throw new Error(`${what} must be one of ${V3_KEY_MODES.join(', ')}`);
  return mode as V3KeyMode;
}

/** Reads `[{appId, appSecret, mchId, apiKey, oauthDomains, name?, refundNotifyUrl?, notifyTimeScale?}]` (or `{merchants: [...]}`) from a JSON file. */
export function loadMerchantsFile(path: string): MerchantConfig[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    // Name the absolute path: `pnpm --filter` runs this from the package folder, not where the command was typed.
    throw new Error(
      `EMULATOR_CONFIG must be the path of a JSON file; cannot read ${resolvePath(path)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`${resolvePath(path)}: not valid JSON`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { merchants?: unknown }).merchants;
  if (!Array.isArray(list)) throw new Error(`${path}: expected an array of merchants or {"merchants": [...]}`);
  validateMerchants(list as MerchantConfig[]);
  return list as MerchantConfig[];
}
