// Starts emulator + BFF + storefront for local development, all on loopback,
// and stops all three when one of them exits or on Ctrl-C.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { takenPorts } from './lib/ports.mjs';
import { bffWechatEnv, emulatorEnv, waitHealthy } from './lib/stack.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = process.env;
const host = env.DEV_HOST ?? '127.0.0.1';
const ports = {
  emulator: Number(env.EMULATOR_PORT ?? 4000),
  emulatorTls: Number(env.EMULATOR_HTTPS_PORT ?? 4001),
  bff: Number(env.BFF_PORT ?? 3000),
  storefront: Number(env.STOREFRONT_PORT ?? 5173),
  admin: Number(env.ADMIN_PORT ?? 5174),
};
const adminUrl = `http://${host}:${ports.admin}`;
// The operator console's dev account, created by the BFF at start (DEV_OPERATOR is refused in production).
const devOperator = { name: 'dev', password: 'dev-operator-password' };
const emulatorUrl = `http://${host}:${ports.emulator}`;
const storefrontUrl = `http://${host}:${ports.storefront}`;
const bffUrl = `http://${host}:${ports.bff}`;
const emulator = { host, port: ports.emulator, httpsPort: ports.emulatorTls };
// The BFF keeps its PGlite data across restarts; the emulator keeps its orders beside it, so a
// PENDING order's cached prepay_id stays payable after restarting `npm start`.
const bffDataDir = path.resolve(root, 'apps/bff', env.PGLITE_DIR ?? '.data/pglite');
const emulatorStateFile = env.EMULATOR_STATE_FILE || path.join(path.dirname(bffDataDir), 'wechat-emulator-state.json');
// A first start creates the PGlite cluster (initdb in WebAssembly): minutes on a busy machine.
const bffFirstStart = !env.DATABASE_URL && !existsSync(path.join(bffDataDir, 'PG_VERSION'));
// Only a service that dies or never answers stops the start; slowness alone does not.
const START_TIMEOUT_MS = 10 * 60_000;

// The emulator's documented default test merchant (public test data, not a secret).
const testMerchant = {
  appId: 'wxd930ea5d5a258f4f',
  appSecret: '3f6c2a9e8b1d4075c6e2a1f9b8d3c740',
  mchId: '10000100',
  apiKey: '192006250b4c09247ec02edce69f6a2d',
  apiV3Key: 'e6Kq3Vb9Tn2Lm8Rz4Wc7Yd1Fh5Jp0GsX',
};
// WECHAT_PAY_API_VERSION=v3 npm start: the BFF speaks API v3 to the emulator, which signs in
// EMULATOR_V3_KEY_MODE (public-key by default, platform-certificate or migration); v2 otherwise.
const pay = {
  apiVersion: env.WECHAT_PAY_API_VERSION === 'v3' ? 'v3' : 'v2',
  v3KeyMode: env.EMULATOR_V3_KEY_MODE || 'public-key',
};
if (env.WECHAT_PAY_API_VERSION && !['v2', 'v3'].includes(env.WECHAT_PAY_API_VERSION)) {
  console.error(`WECHAT_PAY_API_VERSION must be v2 or v3, not ${JSON.stringify(env.WECHAT_PAY_API_VERSION)}`);
  process.exit(1);
}

const services = [
  {
    name: 'emulator',
    cwd: 'apps/wechat-emulator',
    args: ['src/main.ts'],
    health: `${emulatorUrl}/console`,
    ports: [
      { port: ports.emulator, envVar: 'EMULATOR_PORT' },
      { port: ports.emulatorTls, envVar: 'EMULATOR_HTTPS_PORT' },
    ],
    waitingFor: 'starting the WeChat emulator',
    env: emulatorEnv({
      ...emulator,
      notifyTimeScale: env.EMULATOR_NOTIFY_TIME_SCALE ?? '0.01',
      stateFile: emulatorStateFile,
      v3KeyMode: pay.v3KeyMode,
      // The storefront's pages run the emulator's bridge (pay sheet); no other site may drive it.
      // localhost too, when that is what the developer types for 127.0.0.1.
      allowedOrigins: host === '127.0.0.1' ? [storefrontUrl, `http://localhost:${ports.storefront}`] : [storefrontUrl],
    }),
  },
  {
    name: 'bff',
    cwd: 'apps/bff',
    args: ['src/main.ts'],
    health: `${bffUrl}/readyz`,
    ports: [{ port: ports.bff, envVar: 'BFF_PORT' }],
    waitingFor: env.DATABASE_URL
      ? 'connecting to DATABASE_URL and applying migrations'
      : bffFirstStart
        ? `creating the embedded database in ${path.relative(root, bffDataDir)} (first start only; minutes on a busy machine)`
        : 'opening the embedded database',
    env: {
      NODE_ENV: 'development',
      HOST: host,
      PORT: String(ports.bff),
      PUBLIC_BASE_URL: storefrontUrl,
      SESSION_KEYS: 'dev-session-key-change-me',
      ADMIN_TOKEN: 'dev-admin-token',
      ...bffWechatEnv(emulator, testMerchant, pay),
      RECONCILE_INTERVAL_MS: '15000',
      DEV_OPERATOR: `${devOperator.name}:${devOperator.password}`,
    },
  },
  {
    name: 'storefront',
    cwd: 'apps/storefront',
    bin: 'vite',
    args: ['--host', host, '--port', String(ports.storefront), '--strictPort'],
    health: storefrontUrl,
    ports: [{ port: ports.storefront, envVar: 'STOREFRONT_PORT' }],
    waitingFor: 'starting the Vite dev server',
    env: { BFF_URL: bffUrl, EMULATOR_PUBLIC_URL: emulatorUrl },
  },
  {
    name: 'admin',
    cwd: 'apps/admin',
    bin: 'vite',
    args: ['--host', host, '--port', String(ports.admin), '--strictPort'],
    health: `${adminUrl}/admin/`,
    ports: [{ port: ports.admin, envVar: 'ADMIN_PORT' }],
    waitingFor: 'starting the operator console',
    env: { BFF_URL: bffUrl },
  },
];

const colors = { emulator: 35, bff: 36, storefront: 33, admin: 32 };
const prefixOf = (name) => `\x1b[${colors[name]}m[${name}]\x1b[0m `;
const children = [];
let stopping = false;

function start(service) {
  const cwd = path.join(root, service.cwd);
  const bin = path.join(cwd, 'node_modules/.bin', service.bin ?? 'tsx');
  // The children write to our pipe, not the terminal: let them colour their lines when we may.
  const color = process.stdout.isTTY && !('NO_COLOR' in env) ? { FORCE_COLOR: '1' } : {};
  const child = spawn(bin, service.args, {
    cwd,
    env: { ...env, ...color, ...service.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = prefixOf(service.name);
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) process.stdout.write(prefix + line + '\n');
    });
  }
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${prefix}exited (${signal ?? code}); stopping everything`);
      stop(1);
    }
  });
  children.push(child);
  return child;
}

function stop(code) {
  if (stopping) return;
  stopping = true;
  // Set now: once the children are gone Node may exit on its own, before the timer below.
  process.exitCode = code;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 1500).unref();
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

// Before anything starts: on a taken port the health check would reach the old server.
const taken = await takenPorts(
  host,
  services.flatMap((service) => service.ports.map((p) => ({ name: service.name, ...p }))),
);
if (taken.length > 0) {
  for (const problem of taken) console.error(`\x1b[31m${problem}\x1b[0m`);
  console.error('Is an earlier `npm start` still running? Stop it, or move the service, e.g. BFF_PORT=3010 npm start.');
  process.exit(1);
}

try {
  for (const service of services) {
    const child = start(service);
    console.log(`${prefixOf(service.name)}${service.waitingFor}…`);
    await waitHealthy(service.health, {
      child,
      name: service.name,
      intervalMs: 300,
      timeoutMs: START_TIMEOUT_MS,
      progress: (elapsedMs) => {
        const seconds = Math.round(elapsedMs / 1000);
        console.log(`${prefixOf(service.name)}still waiting (${seconds} s): ${service.waitingFor}`);
      },
    });
  }
  console.log(`
  \x1b[1mwxpay-shop is running offline\x1b[0m
    Storefront   ${storefrontUrl}        ← open this (any browser; the emulator's pay sheet stands in for WeChat)
    Console      ${adminUrl}/admin/  operator console; sign in as ${devOperator.name} / ${devOperator.password}
    BFF          ${bffUrl}  (WeChat Pay API ${pay.apiVersion}${pay.apiVersion === 'v3' ? `, ${pay.v3KeyMode} mode` : ''})
    Emulator     ${emulatorUrl}/console  (pay sheets, orders, refunds, faults, notify deliveries, test users)
                 state kept in ${path.relative(root, emulatorStateFile)}
  Ctrl-C stops everything.
`);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  stop(1);
}
