// @vitest-environment node
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { describe, expect, it } from 'vitest';
import { bridgeLoader, needsEmulatorBridge } from '../build/emulator-bridge-plugin';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const DESKTOP_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';
const WECHAT_ANDROID_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP1A.240405.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Version/4.0 Chrome/130.0.6723.103 Mobile Safari/537.36 XWEB/1300259 MMWEBSDK/20240802 MicroMessenger/8.0.51.2720(0x28003336) ' +
  'WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';
const WECHAT_IOS_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 ' +
  'MicroMessenger/8.0.50(0x1800323a) NetType/WIFI Language/zh_CN';
const BRIDGE_TAG = '<script src="http://localhost:4000/bridge.js"></script>';

/** Runs an inline loader script against a fake page; returns what it document.write()s. */
function runLoader(code: string, page: { userAgent: string; bridge?: object }): string[] {
  const written: string[] = [];
  const document = { write: (html: string) => written.push(html) };
  new Function('navigator', 'WeixinJSBridge', 'document', code)({ userAgent: page.userAgent }, page.bridge, document);
  return written;
}

describe('needsEmulatorBridge', () => {
  it('is true only outside WeChat and when no WeixinJSBridge is there yet', () => {
    expect(needsEmulatorBridge(DESKTOP_UA, false)).toBe(true);
    expect(needsEmulatorBridge(WECHAT_ANDROID_UA, false)).toBe(false);
    expect(needsEmulatorBridge(WECHAT_IOS_UA, false)).toBe(false);
    // e.g. a WeChat client with an unusual UA, or a test page that injected a bridge itself
    expect(needsEmulatorBridge(DESKTOP_UA, true)).toBe(false);
  });
});

describe('bridgeLoader', () => {
  const loader = bridgeLoader('http://localhost:4000/bridge.js');

  it('writes the bridge script tag in a browser outside WeChat', () => {
    expect(runLoader(loader, { userAgent: DESKTOP_UA })).toEqual([BRIDGE_TAG]);
  });

  it('writes nothing inside WeChat or where a WeixinJSBridge already exists', () => {
    expect(runLoader(loader, { userAgent: WECHAT_ANDROID_UA })).toEqual([]);
    expect(runLoader(loader, { userAgent: WECHAT_IOS_UA })).toEqual([]);
    expect(runLoader(loader, { userAgent: DESKTOP_UA, bridge: { invoke() {} } })).toEqual([]);
  });

  it('cannot close its own inline <script> early', () => {
    expect(loader).not.toMatch(/<\/script/i);
  });
});

describe('dev server', () => {
  it("puts the loader in <head> before the app module script, and it decides by the page's browser", async () => {
    const server = await createServer({
      root: appDir,
      configFile: path.join(appDir, 'vite.config.ts'),
      logLevel: 'silent',
      server: { middlewareMode: true, hmr: false, ws: false },
    });
    try {
      const source = readFileSync(path.join(appDir, 'index.html'), 'utf8');
      const html = await server.transformIndexHtml('/', source);
      const head = html.slice(0, html.indexOf('</head>'));
      // No unconditional bridge tag: the dev server may be opened inside real WeChat.
      expect(html).not.toContain(BRIDGE_TAG);
      const loader = /<script>([^<]*WeixinJSBridge[^<]*)<\/script>/.exec(head);
      expect(loader).not.toBeNull();
      expect(loader!.index).toBeLessThan(html.indexOf('src="/src/main.ts"'));
      expect(runLoader(loader![1]!, { userAgent: DESKTOP_UA })).toEqual([BRIDGE_TAG]);
      expect(runLoader(loader![1]!, { userAgent: WECHAT_ANDROID_UA })).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
