/** The BFF as its own process (src/main.ts, node --import tsx), for what only a process shows: signals, exit codes. */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_TOKEN, MERCHANT } from './stack';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type LogLine = { level: number; msg: string; [field: string]: unknown };

export interface BffProcess {
  url: string;
  child: ChildProcess;
  /** The process's JSON log lines so far. */
  logs(): LogLine[];
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** Starts src/main.ts with a test environment plus `env`; resolves once it logs that it listens. */
export async function startBffProcess(env: Record<string, string>): Promise<BffProcess> {
  // node itself, not the tsx launcher, so signals reach the BFF directly.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: appDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      SESSION_KEYS: 'test-session-key-1',
      ADMIN_TOKEN,
      WECHAT_APP_ID: MERCHANT.appId,
      WECHAT_APP_SECRET: MERCHANT.appSecret,
      WECHAT_MCH_ID: MERCHANT.mchId,
      WECHAT_PAY_API_KEY: MERCHANT.apiKey,
      // Nothing in these tests calls WeChat; an address that refuses makes sure of it.
      WECHAT_OPEN_BASE_URL: 'http://127.0.0.1:9',
      WECHAT_API_BASE_URL: 'http://127.0.0.1:9',
      WECHAT_PAY_BASE_URL: 'http://127.0.0.1:9',
      ORDER_RATE_LIMIT: '0',
      MAX_PENDING_ORDERS: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const lines: string[] = [];
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts.filter(Boolean));
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  const logs = () => lines.flatMap((l) => (l.startsWith('{') ? [JSON.parse(l) as LogLine] : []));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const listening = logs().find((l) => l.msg === 'bff listening');
      if (listening) {
        child.stdout!.off('data', onData);
        resolve(listening.url as string);
      }
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => reject(new Error(`bff exited (${String(code)}) before listening: ${stderr}`)));
  });
  return { url, child, logs, exited };
}
