import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmulator, DEFAULT_MERCHANT } from '../src/index';
import { loadMerchantsFile } from '../src/config';

describe('configuration', () => {
  const saved = process.env.EMULATOR_CONFIG;
  afterEach(() => {
    if (saved === undefined) delete process.env.EMULATOR_CONFIG;
    else process.env.EMULATOR_CONFIG = saved;
  });

  it('loads merchants from EMULATOR_CONFIG and exposes them (without keys) in the state', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wx-emu-'));
    const file = join(dir, 'merchants.json');
    const merchant = { ...DEFAULT_MERCHANT, appId: 'wx3333333333333333', name: '示例商户' };
    writeFileSync(file, JSON.stringify({ merchants: [merchant] }));
    process.env.EMULATOR_CONFIG = file;
    const emu = createEmulator({ port: 0, httpsPort: 0 });
    await emu.start();
    try {
      const state = (await (await fetch(`${emu.httpUrl}/__emulator/state`)).json()) as {
        merchants: Array<Record<string, unknown>>;
      };
      expect(state.merchants).toEqual([
        { appId: merchant.appId, mchId: merchant.mchId, name: '示例商户', oauthDomains: merchant.oauthDomains },
      ]);
    } finally {
      await emu.stop();
    }
  });

  it('rejects invalid merchant files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wx-emu-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify([{ ...DEFAULT_MERCHANT, apiKey: 'short' }]));
    expect(() => loadMerchantsFile(file)).toThrow('exactly 32 characters');
    writeFileSync(file, JSON.stringify({ nope: true }));
    expect(() => loadMerchantsFile(file)).toThrow('expected an array');
    writeFileSync(
      file,
      JSON.stringify([{ ...DEFAULT_MERCHANT, refundNotifyUrl: 'https://shop.example.com/refund?x=1' }]),
    );
    expect(() => loadMerchantsFile(file)).toThrow('refundNotifyUrl notify_url不能携带参数');
    writeFileSync(file, JSON.stringify([{ ...DEFAULT_MERCHANT, notifyTimeScale: 0 }]));
    expect(() => loadMerchantsFile(file)).toThrow('notifyTimeScale must be a number > 0');
    writeFileSync(file, '[{"appId": ');
    expect(() => loadMerchantsFile(file)).toThrow(`${file}: not valid JSON`);
    // Inline JSON instead of a path: the message says a path is wanted, and which one was tried.
    expect(() => loadMerchantsFile('[{"appId":"wx1"}]')).toThrow(
      /^EMULATOR_CONFIG must be the path of a JSON file; cannot read \/.*\[\{"appId":"wx1"\}\] \(ENOENT\)$/,
    );
  });

  it('allowedOrigins takes bare http(s) origins, normalised, and refuses anything else', async () => {
    for (const bad of ['http://shop.test:5173/pay', 'ftp://shop.test', 'shop.test:5173', 'http://shop.test?x=1']) {
      expect(() => createEmulator({ port: 0, httpsPort: 0, allowedOrigins: [bad] }), bad).toThrow('allowed origin');
    }
    const emu = createEmulator({ port: 0, httpsPort: 0, allowedOrigins: ['HTTP://Shop.Test:5173/'] });
    await emu.start();
    try {
      const preflight = await fetch(`${emu.httpUrl}/__bridge/pay-request`, {
        method: 'OPTIONS',
        headers: { Origin: 'http://shop.test:5173', 'Access-Control-Request-Method': 'POST' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe('http://shop.test:5173');
    } finally {
      await emu.stop();
    }
  });
});
