/**
 * Runs the README's first command the way a developer does (`node scripts/dev.mjs`, which
 * `npm start` execs after installing): emulator + BFF (embedded PGlite) + Vite dev server.
 * Ports, the PGlite directory and the emulator's state file are throw-away, so a developer's
 * own `npm start` data is never touched.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports';
import { terminate } from './terminate';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface DevCommand {
  storefrontUrl: string;
  emulatorUrl: string;
  output: () => string;
  stop: () => Promise<void>;
}

export async function startDevCommand(timeoutMs = 90_000): Promise<DevCommand> {
  const [emulator, emulatorTls, bff, storefront] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const dir = mkdtempSync(path.join(tmpdir(), 'wxpay-dev-'));
  // Without vitest's NODE_ENV=test and any DATABASE_URL: the command must work from a plain shell.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: undefined, VITEST: undefined, DATABASE_URL: undefined };
  Object.assign(env, {
    EMULATOR_PORT: String(emulator),
    EMULATOR_HTTPS_PORT: String(emulatorTls),
    BFF_PORT: String(bff),
    STOREFRONT_PORT: String(storefront),
    PGLITE_DIR: path.join(dir, 'pglite'),
    EMULATOR_STATE_FILE: path.join(dir, 'emulator-state.json'),
  });
  // Its own process group, so stop() reaches the three services even if dev.mjs dies first.
  const child = spawn(process.execPath, ['scripts/dev.mjs'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const stop = async () => {
    await terminate(child, { group: true });
    rmSync(dir, { recursive: true, force: true });
  };

  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const check = () => {
      if (output.includes('is running offline')) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
  if (!ready) {
    await stop();
    throw new Error(`scripts/dev.mjs did not come up:\n${output.slice(-5000)}`);
  }
  return { storefrontUrl: `http://127.0.0.1:${storefront}`, emulatorUrl: `http://127.0.0.1:${emulator}`, output: () => output, stop };
}
