/**
 * Starts the real stack as separate processes on loopback: the WeChat emulator and the
 * BFF's production bundle (apps/bff/dist, run like its `start` script) serving the production
 * storefront build (apps/storefront/dist), each build redone first when stale. Each run uses
 * a freshly generated merchant (random appsecret and API key) so nothing can depend on the
 * default test merchant.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueMerchantCert } from '@wxpay-shop/wechat-emulator';
import { bffWechatEnv, emulatorEnv, waitHealthy } from '../../scripts/lib/stack.mjs';
import { adminDist } from './admin-build';
import { bffStartCommand } from './bff-build';
import { freePort } from './ports';
import { storefrontDist } from './storefront-build';
import { terminate } from './terminate';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The console's account in the e2e stack (an admin, created by the BFF at start). */
export const DEV_OPERATOR = { name: 'e2e-operator', password: 'e2e-operator-password' };

export interface Stack {
  storefrontUrl: string;
  emulatorUrl: string;
  /** The BFF's ADMIN_TOKEN, for the operator's API (ship, after-sale decisions). */
  adminToken: string;
  logs: () => string;
  stop: () => Promise<void>;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

interface Command {
  command: string;
  args: string[];
}

function launch(cwd: string, { command, args }: Command, env: Record<string, string>, output: string[]): ChildProcess {
  const child = spawn(command, args, {
    cwd: path.join(root, cwd),
    // The e2e stack always uses embedded PGlite, whatever the caller's DATABASE_URL.
    env: { ...process.env, DATABASE_URL: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk: Buffer) => {
    output.push(`[${cwd}] ${chunk.toString()}`);
    if (output.length > 2000) output.splice(0, output.length - 2000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

/**
 * `pay.apiVersion` v3: the BFF speaks WeChat Pay API v3 (the emulator in public-key mode). The merchant is
 * then 10000100, whose API certificate (merchant.pem) signs v3 requests; appid, secrets and keys stay fresh.
 */
export async function startStack(pay: { apiVersion: 'v2' | 'v3' } = { apiVersion: 'v2' }): Promise<Stack> {
  const dist = storefrontDist(root);
  const consoleDist = adminDist(root);
  const bffCommand = bffStartCommand(root);
  const [emuPort, emuTlsPort, bffPort] = [await freePort(), await freePort(), await freePort()];
  const emulatorUrl = `http://127.0.0.1:${emuPort}`;
  const storefrontUrl = `http://127.0.0.1:${bffPort}`;
  const merchant = {
    appId: `wx${hex(8)}`,
    appSecret: hex(16),
    mchId: pay.apiVersion === 'v3' ? '10000100' : String(1_900_000_000 + Math.floor(Math.random() * 99_999_999)),
    apiKey: hex(16),
    apiV3Key: hex(16),
    oauthDomains: ['127.0.0.1'],
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'wxpay-e2e-'));
  const configFile = path.join(dir, 'merchants.json');
  writeFileSync(configFile, JSON.stringify({ merchants: [merchant] }));
  // Refunds go over mutual TLS with a certificate whose CN is the mch_id: this random merchant's own.
  const certsDir = path.join(root, 'apps/wechat-emulator/certs');
  const clientCert = issueMerchantCert(
    {
      cert: readFileSync(path.join(certsDir, 'ca.pem'), 'utf8'),
      key: readFileSync(path.join(certsDir, 'ca-key.pem'), 'utf8'),
    },
    merchant.mchId,
  );
  writeFileSync(path.join(dir, 'merchant.pem'), clientCert.cert);
  writeFileSync(path.join(dir, 'merchant-key.pem'), clientCert.key, { mode: 0o600 });
  const adminToken = hex(16);
  const output: string[] = [];
  const logs = () => output.join('');
  const emulatorAddress = { host: '127.0.0.1', port: emuPort, httpsPort: emuTlsPort };

  const emulator = launch(
    'apps/wechat-emulator',
    { command: path.join(root, 'apps/wechat-emulator/node_modules/.bin/tsx'), args: ['src/main.ts'] },
    {
      ...emulatorEnv({ ...emulatorAddress, notifyTimeScale: '0.01', allowedOrigins: [storefrontUrl] }),
      EMULATOR_CONFIG: configFile,
    },
    output,
  );
  const bff = launch(
    'apps/bff',
    bffCommand,
    {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(bffPort),
      PUBLIC_BASE_URL: storefrontUrl,
      SESSION_KEYS: hex(16),
      ADMIN_TOKEN: adminToken,
      ...bffWechatEnv(emulatorAddress, merchant, pay),
      // v2's random merchant refunds with a client certificate of its own; v3 signs as the emulator's
      // default merchant, whose merchant.pem serial bffWechatEnv names.
      ...(pay.apiVersion === 'v2'
        ? {
            WECHAT_PAY_CLIENT_CERT: path.join(dir, 'merchant.pem'),
            WECHAT_PAY_CLIENT_KEY: path.join(dir, 'merchant-key.pem'),
          }
        : {}),
      WECHAT_PAY_SIGN_TYPE: 'HMAC-SHA256',
      PGLITE_DIR: path.join(dir, 'pglite'),
      RECONCILE_INTERVAL_MS: '0',
      // Flows check the stock an order took or gave back at once; the catalog's bound has its own BFF test.
      CATALOG_MAX_AGE_MS: '0',
      STOREFRONT_DIST: dist,
      ADMIN_DIST: consoleDist,
      DEV_OPERATOR: `${DEV_OPERATOR.name}:${DEV_OPERATOR.password}`,
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    },
    output,
  );
  const stop = async () => {
    for (const child of [bff, emulator]) await terminate(child);
  };
  try {
    await waitHealthy(`${emulatorUrl}/console`, { child: emulator, logs, intervalMs: 250, timeoutMs: 60_000 });
    await waitHealthy(`${storefrontUrl}/readyz`, { child: bff, logs, intervalMs: 250, timeoutMs: 60_000 });
  } catch (err) {
    await stop();
    throw err;
  }
  return { storefrontUrl, emulatorUrl, adminToken, logs, stop };
}
