/**
 * Debian's Chromium driven by playwright-core (no browser download). The flags keep
 * Chromium off the network, which this machine does not have anyway.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP1A.240405.002; wv) AppleWebKit/537.36 (KHTML, like Gecko) ' +
  'Version/4.0 Chrome/130.0.6723.103 Mobile Safari/537.36 XWEB/1300259 MMWEBSDK/20240802 MicroMessenger/8.0.51.2720(0x28003336) ' +
  'WeChat/arm64 Weixin NetType/WIFI Language/zh_CN ABI/arm64';
/** WeChat on an iPhone: its JS-SDK validates the URL the page was first opened with. */
export const IOS_WECHAT_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 ' +
  'MicroMessenger/8.0.50(0x1800322c) NetType/WIFI Language/zh_CN';
/** Safari on an iPhone, outside WeChat: H5 pay. */
const PHONE_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 ' +
  'Mobile/15E148 Safari/604.1';
export const DESKTOP_UA =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

const artifactsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../test-artifacts');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * A phone-sized context that looks like WeChat's in-app browser: WeChat UA (Android unless another is given), and the
 * emulator's WeixinJSBridge injected before any page script, as the real client does.
 */
export async function wechatContext(
  browser: Browser,
  emulatorUrl: string,
  userAgent = WECHAT_UA,
): Promise<BrowserContext> {
  const bridge = await (await fetch(`${emulatorUrl}/bridge.js`)).text();
  // WeChat's JS-SDK (res.wx.qq.com) is out of reach offline: the emulator's stand-in takes its place.
  const jssdk = await (await fetch(`${emulatorUrl}/jweixin.js`)).text();
  const context = await browser.newContext({
    // WeChat's real bridge is native code, outside the page's CSP. The emulator's stand-in runs as
    // page script: it calls the emulator's origin and draws its pay sheet with inline styles, which
    // the storefront's CSP rightly refuses. The desktop contexts below keep the CSP on.
    bypassCSP: true,
    userAgent,
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  await context.addInitScript({ content: bridge });
  await context.addInitScript({ content: jssdk });
  return context;
}

export interface CspViolation {
  page: string;
  /** The directive that refused, e.g. script-src-elem, img-src, connect-src. */
  directive: string;
  /** The refused URL, or inline / eval. */
  blocked: string;
  /** Script file and line:column that caused it (empty for markup). */
  source: string;
  at: string;
}

const cspViolations: CspViolation[] = [];

/** The CSP violations desktop pages have reported since the last call, which forgets them. */
export function takeCspViolations(): CspViolation[] {
  return cspViolations.splice(0);
}

/**
 * A desktop browser under the pages' real Content-Security-Policy; each violation it reports
 * (securitypolicyviolation, fired for blocked and report-only alike) is kept for takeCspViolations.
 * `timezoneId` sets the browser's own zone (e.g. a shopper abroad); Chromium's default is the host's.
 */
export async function desktopContext(browser: Browser, options: { timezoneId?: string } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    userAgent: DESKTOP_UA,
    viewport: { width: 1280, height: 800 },
    locale: 'zh-CN',
    ...options,
  });
  return watchCsp(context);
}

/** A phone's own browser outside WeChat (Safari's UA, no WeixinJSBridge), under the real CSP like a desktop. */
export async function phoneContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({
    userAgent: PHONE_UA,
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
  return watchCsp(context);
}

async function watchCsp(context: BrowserContext): Promise<BrowserContext> {
  await context.exposeBinding('__e2eCspViolation', ({ page }, v: Omit<CspViolation, 'page'>) => {
    cspViolations.push({ page: page.url(), ...v });
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __e2eCspViolation: (v: Omit<CspViolation, 'page'>) => Promise<void> })
        .__e2eCspViolation;
      void report({
        directive: e.effectiveDirective,
        blocked: e.blockedURI || 'inline',
        source: e.sourceFile,
        at: `${e.lineNumber}:${e.columnNumber}`,
      });
    });
  });
  return context;
}

/** Screenshots are kept as test artifacts: e2e/test-artifacts/<flow>/<nn>-<step>.png */
export function screenshotter(page: Page, flow: string): (step: string) => Promise<void> {
  const dir = path.join(artifactsDir, flow);
  // Start each flow afresh so no screenshot from an earlier run (or step list) lingers.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  let n = 0;
  return async (step) => {
    n += 1;
    await page.screenshot({ path: path.join(dir, `${String(n).padStart(2, '0')}-${step}.png`), fullPage: true });
  };
}
