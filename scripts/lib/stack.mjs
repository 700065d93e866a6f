// What scripts/dev.mjs and e2e/src/stack.ts share to run the emulator and the BFF against it.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const certs = path.join(root, 'apps/wechat-emulator/certs');

/**
 * The emulator on host:port (HTTP) and host:httpsPort (TLS, for the secapi endpoints).
 * Its state lives in `stateFile` when given, else in memory only (even if the caller's
 * environment names a state file, so test stacks never load a developer's state).
 * `allowedOrigins`: the storefront's origin(s), whose pages run the emulator's /bridge.js and so
 * call its pay-sheet endpoints cross-origin; every other site is refused.
 */
export function emulatorEnv({ host, port, httpsPort, notifyTimeScale, stateFile, allowedOrigins, v3KeyMode }) {
  return {
    EMULATOR_V3_KEY_MODE: v3KeyMode ?? 'public-key',
    EMULATOR_ALLOWED_ORIGINS: (allowedOrigins ?? []).join(','),
    EMULATOR_HOST: host,
    EMULATOR_PORT: String(port),
    EMULATOR_HTTPS_PORT: String(httpsPort),
    EMULATOR_PUBLIC_URL: `http://${host}:${port}`,
    EMULATOR_NOTIFY_TIME_SCALE: notifyTimeScale,
    EMULATOR_STATE_FILE: stateFile ?? '',
  };
}

/** The emulator's WeChat Pay public key id (apps/wechat-emulator/certs/README.md). */
const WECHATPAY_PUBLIC_KEY_ID = 'PUB_KEY_ID_0110000100EMULATOR0000000001';

/**
 * The BFF's API v3 settings for the emulator's merchant: its APIv3 key, the serial of merchant.pem, and what
 * verifies WeChat Pay in the emulator's `v3KeyMode` (public key, platform certificates, or both in migration).
 */
function v3Env(merchant, v3KeyMode = 'public-key') {
  return {
    WECHAT_PAY_API_VERSION: 'v3',
    WECHAT_PAY_API_V3_KEY: merchant.apiV3Key,
    WECHAT_PAY_MERCHANT_SERIAL_NO: new X509Certificate(readFileSync(path.join(certs, 'merchant.pem'))).serialNumber,
    ...(v3KeyMode !== 'platform-certificate'
      ? {
          WECHAT_PAY_PUBLIC_KEY: path.join(certs, 'wechatpay-public-key.pem'),
          WECHAT_PAY_PUBLIC_KEY_ID: WECHATPAY_PUBLIC_KEY_ID,
        }
      : {}),
    WECHAT_PAY_PLATFORM_CERTIFICATES: v3KeyMode === 'public-key' ? 'false' : 'true',
  };
}

/**
 * Points the BFF's WeChat clients at that emulator, as `merchant`, with the emulator's test certificates;
 * `pay.apiVersion` v3 adds the v3 settings for the emulator's `pay.v3KeyMode`.
 */
export function bffWechatEnv({ host, port, httpsPort }, merchant, pay = {}) {
  const emulatorUrl = `http://${host}:${port}`;
  return {
    WECHAT_PAY_API_VERSION: 'v2',
    WECHAT_APP_ID: merchant.appId,
    WECHAT_APP_SECRET: merchant.appSecret,
    WECHAT_MCH_ID: merchant.mchId,
    WECHAT_PAY_API_KEY: merchant.apiKey,
    WECHAT_OPEN_BASE_URL: emulatorUrl,
    WECHAT_API_BASE_URL: emulatorUrl,
    WECHAT_PAY_BASE_URL: emulatorUrl,
    WECHAT_PAY_SECAPI_BASE_URL: `https://${host}:${httpsPort}`,
    WECHAT_PAY_CLIENT_CERT: path.join(certs, 'merchant.pem'),
    WECHAT_PAY_CLIENT_KEY: path.join(certs, 'merchant-key.pem'),
    WECHAT_PAY_CA_CERT: path.join(certs, 'ca.pem'),
    ...(pay.apiVersion === 'v3' ? v3Env(merchant, pay.v3KeyMode) : {}),
  };
}

/**
 * Polls `url` until it answers 2xx. Fails early if `child` exits, and after `timeoutMs`;
 * the error names `name` when given and ends with `logs()` when given. `progress(elapsedMs)`,
 * when given, is called every `progressEveryMs` (10 s) while it waits, so a slow start says so.
 */
export async function waitHealthy(
  url,
  { child, intervalMs, timeoutMs, logs, name, progress, progressEveryMs = 10_000 },
) {
  const withLogs = (message) => (logs ? `${message}:\n${logs()}` : message);
  const started = Date.now();
  let reported = 0;
  while (Date.now() - started < timeoutMs) {
    if (child && child.exitCode !== null) {
      const how = child.signalCode ?? `code ${child.exitCode}`;
      throw new Error(withLogs(`${name ?? 'process'} exited (${how}) before ${url} was healthy`));
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    const elapsedMs = Date.now() - started;
    if (progress && elapsedMs >= (reported + 1) * progressEveryMs) {
      reported = Math.floor(elapsedMs / progressEveryMs);
      progress(elapsedMs);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(
    withLogs(
      name
        ? `${name} did not become healthy at ${url} within ${timeoutMs / 1000}s`
        : `${url} not healthy within ${timeoutMs} ms`,
    ),
  );
}
