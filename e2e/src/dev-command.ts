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

export interface DevPorts {
  emulator: number;
  emulatorTls: number;
  bff: number;
  storefront: number;
  admin: number;
}

export interface LaunchedDevCommand {
  ports: DevPorts;
  output: () => string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves once `text` has been printed; rejects if the command exits first. */
  printed: (text: string) => Promise<void>;
  stop: () => Promise<void>;
}

export interface DevCommand {
  storefrontUrl: string;
  /** The operator console, `…/admin/`. */
  adminUrl: string;
  emulatorUrl: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts scripts/dev.mjs on free ports (or those in `ports`), with `env` added to its environment. */
export async function launchDevCommand(
  options: { ports?: Partial<DevPorts>; env?: NodeJS.ProcessEnv } = {},
): Promise<LaunchedDevCommand> {
  const ports: DevPorts = {
    emulator: options.ports?.emulator ?? (await freePort()),
    emulatorTls: options.ports?.emulatorTls ?? (await freePort()),
    bff: options.ports?.bff ?? (await freePort()),
    storefront: options.ports?.storefront ?? (await freePort()),
    admin: options.ports?.admin ?? (await freePort()),
  };
  const dir = mkdtempSync(path.join(tmpdir(), 'wxpay-dev-'));
  // Without vitest's NODE_ENV=test and any DATABASE_URL: the command must work from a plain shell.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: undefined, VITEST: undefined, DATABASE_URL: undefined };
  Object.assign(env, {
    EMULATOR_PORT: String(ports.emulator),
    EMULATOR_HTTPS_PORT: String(ports.emulatorTls),
    BFF_PORT: String(ports.bff),
    STOREFRONT_PORT: String(ports.storefront),
    ADMIN_PORT: String(ports.admin),
    PGLITE_DIR: path.join(dir, 'pglite'),
    EMULATOR_STATE_FILE: path.join(dir, 'emulator-state.json'),
    ...options.env,
  });
  // Its own process group, so stop() reaches the three services even if dev.mjs dies first.
  const child = spawn(process.execPath, ['scripts/dev.mjs'], {
    cwd: root,
    env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const printed = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!output.includes(text)) return;
        child.stdout.off('data', check);
        resolve();
      };
      child.stdout.on('data', check);
      check();
      void exited.then(() => reject(new Error(`scripts/dev.mjs exited before printing ${JSON.stringify(text)}`)));
    });

  const stop = async () => {
    await terminate(child, { group: true });
    rmSync(dir, { recursive: true, force: true });
  };
  return { ports, output: () => output, exited, printed, stop };
}

export async function startDevCommand(timeoutMs = 90_000): Promise<DevCommand> {
  const dev = await launchDevCommand();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no banner within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([dev.printed('is running offline'), timedOut]);
  } catch (err) {
    await dev.stop();
    throw new Error(`scripts/dev.mjs did not come up (${(err as Error).message}):\n${dev.output().slice(-5000)}`);
  } finally {
    clearTimeout(timer);
  }
  const { emulator, storefront, admin } = dev.ports;
  return {
    storefrontUrl: `http://127.0.0.1:${storefront}`,
    adminUrl: `http://127.0.0.1:${admin}/admin/`,
    emulatorUrl: `http://127.0.0.1:${emulator}`,
    output: dev.output,
    stop: dev.stop,
  };
}
