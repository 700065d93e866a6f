/**
 * `npm start` (scripts/dev.mjs) on a bad day: a port still held by an earlier run makes it stop
 * at once with a non-zero exit that names the port, an emulator state file in use by another
 * emulator is never shared, and a slow BFF start is waited for, with progress saying what it
 * waits for, instead of giving up.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmulator } from '@wxpay-shop/wechat-emulator';
import { launchDevCommand, type LaunchedDevCommand } from '../src/dev-command';
import { freePort } from '../src/ports';

const slowStartHook = pathToFileURL(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/slow-bff-start.mjs'),
);
let dev: LaunchedDevCommand | undefined;
let holder: Server | undefined;

afterEach(async () => {
  await dev?.stop();
  dev = undefined;
  await new Promise((resolve) => (holder ? holder.close(resolve) : resolve(undefined)));
  holder = undefined;
});

describe('npm start (scripts/dev.mjs) start-up problems', () => {
  it('a taken BFF port → exits non-zero naming the port and BFF_PORT, never claims to be running', async () => {
    const port = await freePort();
    holder = createServer((socket) => socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
    await new Promise<void>((resolve) => holder!.listen(port, '127.0.0.1', resolve));

    dev = await launchDevCommand({ ports: { bff: port } });
    const code = await dev.exited;
    expect(code, dev.output()).not.toBe(0);
    expect(code).not.toBeNull();
    expect(dev.output()).toContain(`port ${port} on 127.0.0.1 (bff, BFF_PORT) is already in use`);
    expect(dev.output()).not.toContain('is running offline');
  });

  it('an emulator state file another emulator holds → exits non-zero naming the process that holds it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wxpay-state-'));
    const stateFile = path.join(dir, 'emulator-state.json');
    // The "earlier npm start": an emulator in this process, holding the state file.
    const earlier = createEmulator({ port: 0, httpsPort: 0, stateFile });
    await earlier.start();
    try {
      dev = await launchDevCommand({ env: { EMULATOR_STATE_FILE: stateFile } });
      const code = await dev.exited;
      expect(code, dev.output()).not.toBe(0);
      expect(code).not.toBeNull();
      expect(dev.output()).toContain(`emulator state file ${stateFile} is in use by process ${process.pid}`);
      expect(dev.output()).not.toContain('is running offline');
    } finally {
      await earlier.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a BFF 25 s slow to start → waits, says it is creating the embedded database, then comes up', async () => {
    const delayMs = 25_000;
    dev = await launchDevCommand({
      env: {
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${slowStartHook.href}`,
        SLOW_BFF_START_MS: String(delayMs),
      },
    });
    await dev.printed('is running offline');
    const output = dev.output();
    expect(output).toMatch(/\[bff\].* creating the embedded database in \S+pglite \(first start only/);
    // Progress every 10 s while it waits: at least two reports within the 25 s hold.
    const progress = output.match(/\[bff\].* still waiting \(\d+ s\): creating the embedded database/g) ?? [];
    expect(progress.length, output).toBeGreaterThanOrEqual(2);
  }, 300_000);
});
