/**
 * Starts the real stack as separate processes on loopback: the WeChat emulator and the
 * BFF serving the production storefront build (apps/storefront/dist). Each run uses a
 * freshly generated merchant (random appsecret and API key) so nothing can depend on
 * the default test merchant.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface Stack {
  storefrontUrl: string;
  emulatorUrl: string;
  adminToken: string;
  merchant: { appId: string; mchId: string };
  logs: () => string;
  stop: () => Promise<void>;
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

async function waitHealthy(url: string, child: ChildProcess, logs: () => string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited before ${url} was healthy:\n${logs()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} not healthy within ${timeoutMs} ms:\n${logs()}`);
}

function launch(cwd: string, env: Record<string, string>, output: string[]): ChildProcess {
  const child = spawn(path.join(root, cwd, 'node_modules/.bin/tsx'), ['src/main.ts'], {
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

export async function startStack(): Promise<Stack> {
  const dist = path.join(root, 'apps/storefront/dist');
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error('apps/storefront/dist is missing: run the storefront production build first');
  }
  const [emuPort, emuTlsPort, bffPort] = [await freePort(), await freePort(), await freePort()];
  const emulatorUrl = `http://127.0.0.1:${emuPort}`;
  const storefrontUrl = `http://127.0.0.1:${bffPort}`;
  const merchant = {
    appId: `wx${hex(8)}`,
    appSecret: hex(16),
    mchId: String(1_900_000_000 + Math.floor(Math.random() * 99_999_999)),
    apiKey: hex(16),
    oauthDomains: ['127.0.0.1'],
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'wxpay-e2e-'));
  const configFile = path.join(dir, 'merchants.json');
  writeFileSync(configFile, JSON.stringify({ merchants: [merchant] }));
  const adminToken = hex(16);
  const output: string[] = [];
  const logs = () => output.join('');
  const certs = path.join(root, 'apps/wechat-emulator/certs');

  const emulator = launch(
    'apps/wechat-emulator',
    {
      EMULATOR_HOST: '127.0.0.1',
      EMULATOR_PORT: String(emuPort),
      EMULATOR_HTTPS_PORT: String(emuTlsPort),
      EMULATOR_PUBLIC_URL: emulatorUrl,
      EMULATOR_CONFIG: configFile,
      EMULATOR_NOTIFY_TIME_SCALE: '0.01',
    },
    output,
  );
  const bff = launch(
    'apps/bff',
    {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(bffPort),
      PUBLIC_BASE_URL: storefrontUrl,
      SESSION_KEYS: hex(16),
      ADMIN_TOKEN: adminToken,
      WECHAT_APP_ID: merchant.appId,
      WECHAT_APP_SECRET: merchant.appSecret,
      WECHAT_MCH_ID: merchant.mchId,
      WECHAT_PAY_API_KEY: merchant.apiKey,
      WECHAT_PAY_SIGN_TYPE: 'HMAC-SHA256',
      WECHAT_OPEN_BASE_URL: emulatorUrl,
      WECHAT_API_BASE_URL: emulatorUrl,
      WECHAT_PAY_BASE_URL: emulatorUrl,
      WECHAT_PAY_SECAPI_BASE_URL: `https://127.0.0.1:${emuTlsPort}`,
      WECHAT_PAY_CLIENT_CERT: path.join(certs, 'merchant.pem'),
      WECHAT_PAY_CLIENT_KEY: path.join(certs, 'merchant-key.pem'),
      WECHAT_PAY_CA_CERT: path.join(certs, 'ca.pem'),
      PGLITE_DIR: path.join(dir, 'pglite'),
      RECONCILE_INTERVAL_MS: '0',
      STOREFRONT_DIST: dist,
      LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    },
    output,
  );
  const stop = async () => {
    for (const child of [bff, emulator]) {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }
  };
  try {
    await waitHealthy(`${emulatorUrl}/console`, emulator, logs);
    await waitHealthy(`${storefrontUrl}/readyz`, bff, logs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { storefrontUrl, emulatorUrl, adminToken, merchant, logs, stop };
}
