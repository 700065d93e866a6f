/** `tsx src/main.ts`: runs the emulator from environment variables. */
import { parseOrigin } from './http/origin';
import { createEmulator, DEFAULT_MERCHANT, StateFileError, type Emulator, type V3KeyMode } from './index';

function intEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number`);
  return n;
}

const timeScale = Number(process.env.EMULATOR_NOTIFY_TIME_SCALE ?? '1');
if (!(timeScale > 0)) throw new Error('EMULATOR_NOTIFY_TIME_SCALE must be a positive number');

// Comma-separated origins of shop pages that run /bridge.js.
const allowedOrigins = (process.env.EMULATOR_ALLOWED_ORIGINS ?? '')
  .split(',')
  .filter((o) => o.trim() !== '')
  .map(parseOrigin);

/** Known start-up problems end the process with one line, not a stack trace. */
function fail(message: string): never {
  console.error(`[wechat-emulator] ${message}`);
  process.exit(1);
}

let emulator: Emulator;
try {
  emulator = createEmulator({
    host: process.env.EMULATOR_HOST || '127.0.0.1',
    port: intEnv('EMULATOR_PORT', 4000),
    httpsPort: intEnv('EMULATOR_HTTPS_PORT', 4001),
    publicUrl: process.env.EMULATOR_PUBLIC_URL || undefined,
    notifyTimeScale: timeScale,
    stateFile: process.env.EMULATOR_STATE_FILE || undefined,
    allowedOrigins,
    // public-key (default) | platform-certificate | migration; a merchant's own v3KeyMode wins.
    v3KeyMode: (process.env.EMULATOR_V3_KEY_MODE || undefined) as V3KeyMode | undefined,
    log: (line) => console.log(`[wechat-emulator] ${line}`),
  });
} catch (err) {
  if (err instanceof StateFileError) fail(err.message);
  throw err;
}

const { httpUrl, httpsUrl } = await emulator.start().catch((err: NodeJS.ErrnoException) => {
  if (err.code === 'EADDRINUSE') fail(`cannot listen: ${err.message} (another emulator still running?)`);
  throw err;
});
const usingDefault = !process.env.EMULATOR_CONFIG;
console.log(`WeChat emulator
  HTTP   ${httpUrl}   (OAuth, pay APIs, /bridge.js)
  HTTPS  ${httpsUrl}  (same + /secapi/* with client certificate)
  API v3 /v3/* (signed with ${process.env.EMULATOR_V3_KEY_MODE || 'public-key'} mode; public key id ${emulator.certs.wechatpayPublicKeyId})
  console ${httpUrl}/console
  ${usingDefault ? `default test merchant: appid ${DEFAULT_MERCHANT.appId}, mch_id ${DEFAULT_MERCHANT.mchId}` : `merchants from ${process.env.EMULATOR_CONFIG}`}
  notify time scale ${timeScale}
  bridge.js pages allowed from ${allowedOrigins.join(', ') || "no other origin (set EMULATOR_ALLOWED_ORIGINS to the shop's origin)"}
  state ${process.env.EMULATOR_STATE_FILE ? `kept in ${process.env.EMULATOR_STATE_FILE}` : 'in memory only (set EMULATOR_STATE_FILE to keep it across restarts)'}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void emulator.stop().then(() => process.exit(0));
  });
}
