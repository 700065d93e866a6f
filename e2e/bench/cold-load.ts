/**
 * Cold load of the catalog on a throttled phone profile (issue 17): Chromium against the production
 * BFF and storefront build (the e2e stack), empty cache, CDP throttling of ≈ 1.6 Mbps down, 150 ms
 * RTT and a 4× CPU slowdown, all on the same phone screen. Times from the navigation to the first
 * product card painted with a desktop UA and inside WeChat (where a first visit signs in first) in
 * the same run, plus the floor app (Vue + vue-router + pinia, nothing of the shop) to its first paint.
 * Bounded: per-load timeouts and a watchdog; it stops itself.
 * Usage: ./scripts/pnpm.sh --filter @wxpay-shop/e2e bench   [COLD_LOAD_RUNS=5]
 */
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { ProductListSchema } from '@wxpay-shop/contract';
import { build } from '../../apps/storefront/scripts/size-report.mjs';
import { DESKTOP_UA, launchChromium, wechatContext } from '../src/browser';
import { startStack, type Stack } from '../src/stack';

/** The profile: a mid-range phone on a slow mobile network. */
const PROFILE = { downloadBitsPerSecond: 1.6e6, uploadBitsPerSecond: 0.75e6, rttMs: 150, cpuSlowdown: 4 };
const TARGET_CARDS_MS = 2000;
const TARGET_WECHAT_RATIO = 1.5;
const RUNS = Math.max(1, Math.min(10, Number(process.env.COLD_LOAD_RUNS) || 3));
/** Only bounds a hang: one throttled load takes seconds. */
const LOAD_TIMEOUT_MS = 60_000;
const WATCHDOG_MS = 15 * 60_000;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Load {
  ms: number;
  /** Documents of the shop's origin answered 200: 1 when the SPA booted once. */
  pages: number;
}

async function coldLoad(context: BrowserContext, url: string, text: string): Promise<Load> {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: PROFILE.rttMs,
    downloadThroughput: PROFILE.downloadBitsPerSecond / 8,
    uploadThroughput: PROFILE.uploadBitsPerSecond / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: PROFILE.cpuSlowdown });
  const origin = new URL(url).origin;
  let pages = 0;
  page.on('response', (response) => {
    const isDocument = response.request().resourceType() === 'document';
    if (isDocument && response.status() === 200 && new URL(response.url()).origin === origin) pages += 1;
  });
  const startedAt = Date.now();
  await page.goto(url, { timeout: LOAD_TIMEOUT_MS, waitUntil: 'commit' });
  // Checked at every animation frame: the first frame that holds the text is about when it is painted.
  // Epoch ms from the page's clock, comparable with Date.now() here (the same machine).
  const handle = await page
    .waitForFunction(
      (wanted) => document.body?.textContent?.includes(wanted) && performance.timeOrigin + performance.now(),
      text,
      { timeout: LOAD_TIMEOUT_MS, polling: 'raf' },
    )
    .catch(async (err: unknown) => {
      const shown = await page.evaluate(() => document.body?.textContent?.slice(0, 300)).catch(() => '?');
      throw new Error(`${url}: "${text}" not painted; the page shows: ${shown}`, { cause: err });
    });
  const paintedAt = (await handle.jsonValue()) as number;
  await context.close();
  return { ms: paintedAt - startedAt, pages };
}

/** Serves a built app's files (their .br siblings when accepted, as the BFF does) on loopback. */
async function serveStatic(dir: string): Promise<{ url: string; server: Server }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    let file = path.join(dir, pathname === '/' ? 'index.html' : pathname);
    if (!file.startsWith(dir) || !existsSync(file) || statSync(file).isDirectory()) file = path.join(dir, 'index.html');
    const headers: Record<string, string> = { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' };
    if (/\bbr\b/.test(String(req.headers['accept-encoding'])) && existsSync(`${file}.br`)) {
      headers['Content-Encoding'] = 'br';
      file = `${file}.br`;
    }
    res.writeHead(200, headers);
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the floor server has no port');
  return { url: `http://127.0.0.1:${address.port}/`, server };
}

/**
 * The WeChat context's screen (360×740 at 2×) with another user agent: the two columns then differ in what
 * the user agent decides (signing in first, the bridge), not in how many pixels a slowed CPU paints.
 */
function phoneScreen(browser: Browser, userAgent: string): Promise<BrowserContext> {
  return browser.newContext({
    userAgent,
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function main(): Promise<boolean> {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  let floor: { url: string; server: Server } | undefined;
  const floorDir = mkdtempSync(path.join(tmpdir(), 'storefront-floor-'));
  try {
    // Built before the stack starts: a synchronous build would leave this process deaf to the stack's
    // closing idle keep-alive sockets, and the next fetch would reuse a dead one.
    build({ outDir: floorDir, config: path.join(root, 'apps/storefront/bench/floor/vite.config.ts') });
    stack = await startStack();
    browser = await launchChromium();
    floor = await serveStatic(floorDir);
    const { products } = ProductListSchema.parse(await (await fetch(`${stack.storefrontUrl}/api/products`)).json());
    const firstName = products[0]?.name;
    if (!firstName) throw new Error('the catalog is empty: nothing to paint');

    const desktop: Load[] = [];
    const wechat: Load[] = [];
    const floorLoads: Load[] = [];
    // Interleaved, so a busy moment of the machine weighs on every column alike.
    for (let run = 0; run < RUNS; run += 1) {
      desktop.push(await coldLoad(await phoneScreen(browser, DESKTOP_UA), `${stack.storefrontUrl}/`, firstName));
      wechat.push(
        await coldLoad(await wechatContext(browser, stack.emulatorUrl), `${stack.storefrontUrl}/`, firstName),
      );
      floorLoads.push(await coldLoad(await phoneScreen(browser, DESKTOP_UA), floor.url, 'floor'));
    }

    const desktopMs = median(desktop.map((l) => l.ms));
    const wechatMs = median(wechat.map((l) => l.ms));
    const floorMs = median(floorLoads.map((l) => l.ms));
    const ratio = wechatMs / desktopMs;
    const row = (label: string, loads: Load[]) =>
      `${label.padEnd(34)}${seconds(median(loads.map((l) => l.ms))).padStart(9)}   runs: ${loads
        .map((l) => seconds(l.ms))
        .join(', ')}   SPA loads per visit: ${[...new Set(loads.map((l) => l.pages))].join('/')}`;
    console.log(
      `\nCold load, throttled (${PROFILE.downloadBitsPerSecond / 1e6} Mbps down, ${PROFILE.rttMs} ms RTT, ` +
        `${PROFILE.cpuSlowdown}× CPU), empty cache, median of ${RUNS}`,
    );
    console.log(row('catalog cards, desktop UA', desktop));
    console.log(row('catalog cards, WeChat (first visit)', wechat));
    console.log(row('floor app, first paint', floorLoads));
    const cardsOk = desktopMs <= TARGET_CARDS_MS;
    const ratioOk = ratio <= TARGET_WECHAT_RATIO;
    console.log(`cards ≤ ${seconds(TARGET_CARDS_MS)} (desktop UA): ${cardsOk ? 'MET' : 'MISSED'}`);
    console.log(`WeChat ≤ ${TARGET_WECHAT_RATIO}× desktop: ${ratio.toFixed(2)}× ${ratioOk ? 'MET' : 'MISSED'}`);
    console.log(`catalog cards vs floor's first paint: ${(desktopMs / floorMs).toFixed(2)}×`);
    return true;
  } finally {
    floor?.server.close();
    rmSync(floorDir, { recursive: true, force: true });
    await browser?.close();
    await stack?.stop();
  }
}

setTimeout(() => {
  console.error(`cold-load bench: still running after ${WATCHDOG_MS / 60_000} minutes, stopping`);
  process.exit(1);
}, WATCHDOG_MS).unref();

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
