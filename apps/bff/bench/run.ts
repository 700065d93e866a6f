/**
 * BFF benchmark, one request kind per scenario, on WeChat Pay API v2 and v3 in the same run, beside a
 * bare-Koa baseline and a peer integration. It ends with what verifying one notification costs (v3: an
 * RSA verify and an AES-GCM decrypt) measured alone. The BFF runs in its own process (bench/server.ts); this process runs the
 * emulator and autocannon. Each row reports req/s and latency, and the server's CPU µs and SQL
 * statements per request, as ratios to bare Koa: the CPU ratio holds even on a busy machine.
 *
 *   pnpm --filter @wxpay-shop/bff bench        (BENCH_SECONDS=5 BENCH_CONCURRENCY=32)
 *   BENCH_DATABASE_URL=postgres://… runs the same against PostgreSQL (in a throw-away schema).
 */
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEmulator } from '@wxpay-shop/wechat-emulator';
import { SAMPLE_DELIVERY_ADDRESS } from '@wxpay-shop/contract/fixtures';
import { run, type Request, type Scenario, type ScenarioResult } from './load';
import { notifyCosts } from './notify-cost';
import { paymentNotification, paymentNotificationV3, type BenchOrder } from './notifications';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONCURRENCY ?? 32);
const benchDir = path.dirname(fileURLToPath(import.meta.url));

interface ServerUrls {
  bff: string;
  bffV3: string;
  bare: string;
  peer: string;
  control: string;
  storage: string;
}

/** Starts bench/server.ts in its own Node process and waits for the line with its URLs. */
async function startServer(emulator: { httpUrl: string; httpsUrl: string; caFile: string }) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(benchDir, 'server.ts')], {
    cwd: path.dirname(benchDir),
    env: {
      ...process.env,
      BENCH_EMULATOR_URL: emulator.httpUrl,
      BENCH_EMULATOR_HTTPS_URL: emulator.httpsUrl,
      BENCH_CA_FILE: emulator.caFile,
      BENCH_CONCURRENCY: String(CONNECTIONS),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`))),
  );
  const firstLine = new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
  const urls = JSON.parse(await Promise.race([firstLine, exited])) as ServerUrls;
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.stdin!.end();
    });
  return { urls, stop };
}

async function main(): Promise<void> {
  const emu = createEmulator({ host: '127.0.0.1', port: 0, httpsPort: 0, notifyTimeScale: 0.001 });
  const { httpUrl, httpsUrl } = await emu.start();
  // Pay calls go over TLS as they do to WeChat, so the pooled connections' saving shows.
  const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'bench-ca-')), 'ca.pem');
  writeFileSync(caFile, emu.certs.caCert);
  const { urls, stop } = await startServer({ httpUrl, httpsUrl, caFile });
  const results: ScenarioResult[] = [];
  const measure = async (scenario: Parameters<typeof run>[0]) => {
    const result = await run(scenario, urls.control);
    results.push(result);
    return result;
  };
  type Extra = Pick<Scenario, 'accept' | 'onAccepted'>;
  /** Sends for BENCH_SECONDS, cycling through what `next` gives. */
  const timed = (name: string, url: string, next: () => Request, extra: Extra = {}) =>
    measure({ connections: CONNECTIONS, seconds: SECONDS, name, url, next, ...extra });
  /** Sends one request per item, each item exactly once: first pays, first deliveries. */
  const eachOnce = <T>(name: string, url: string, items: T[], request: (item: T) => Request, extra: Extra = {}) => {
    let i = 0;
    return measure({
      connections: Math.max(1, Math.min(CONNECTIONS, items.length)),
      amount: items.length,
      name,
      url,
      next: () => request(items[Math.min(i++, items.length - 1)]!),
      ...extra,
    });
  };
  const cycle = <T>(items: T[]) => {
    let i = 0;
    return () => items[i++ % items.length]!;
  };

  await timed('bare Koa GET (baseline)', urls.bare, () => ({ path: '/' }));
  await timed('GET /api/products', urls.bff, () => ({ path: '/api/products' }));

  const notify =
    (path: string) =>
    (body: string): Request => ({ method: 'POST', path, headers: { 'Content-Type': 'text/xml' }, body });
  const isSuccess = { accept: (status: number, body: string) => status === 200 && body.includes('SUCCESS') };
  let prepaid: BenchOrder[] = [];
  let notifications: string[] = [];
  const counts: string[] = [];
  for (const version of ['v2', 'v3'] as const) {
    const bffUrl = version === 'v2' ? urls.bff : urls.bffV3;
    // One shopper's session, as a browser keeps it: the first order mints it.
    const items = JSON.stringify({
      items: [
        { productId: 'green-tea', quantity: 1 },
        { productId: 'mug', quantity: 2 },
      ],
      // Physical goods: an order without an address is refused.
      deliveryAddress: SAMPLE_DELIVERY_ADDRESS,
    });
    const first = await fetch(`${bffUrl}/api/orders`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: items,
    });
    const cookie = first.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const json = { 'Content-Type': 'application/json', Cookie: cookie };
    const created: BenchOrder[] = [];
    await timed(
      `${version} POST /api/orders (reserve stock)`,
      bffUrl,
      () => ({ method: 'POST', path: '/api/orders', headers: json, body: items }),
      {
        accept: (status) => status === 201,
        onAccepted: (body) => created.push(JSON.parse(body) as BenchOrder),
      },
    );

    // Each order paid once: every request is a prepay round trip to the emulator (v2 unifiedorder, v3 signed JSON).
    const pay = (order: BenchOrder): Request => ({
      method: 'POST',
      path: `/api/orders/${order.outTradeNo}/pay`,
      headers: json,
      body: '{"tradeType":"NATIVE"}',
      tag: order,
    });
    const paidOnce: BenchOrder[] = [];
    const prepayCall = version === 'v2' ? 'unifiedorder' : '/v3/pay/transactions/native';
    await eachOnce(`${version} POST pay, first (${prepayCall})`, bffUrl, created, pay, {
      accept: (status, body) => status === 200 && body.includes('codeUrl'),
      onAccepted: (_body, order) => paidOnce.push(order as BenchOrder),
    });
    const again = cycle(paidOnce);
    await timed(`${version} POST pay, again (stored prepay)`, bffUrl, () => pay(again()));

    // v2: XML judged by its return_code; v3: JSON with Wechatpay-* headers, answered 204.
    const deliveries: Request[] =
      version === 'v2'
        ? paidOnce.map((order, i) => notify('/api/wechat/pay/notify')(paymentNotification(order, i)))
        : paidOnce.map((order, i) => ({
            method: 'POST',
            path: '/api/wechat/pay/notify',
            ...paymentNotificationV3(order, i),
          }));
    const accepted = version === 'v2' ? isSuccess : { accept: (status: number) => status === 204 };
    await eachOnce(`${version} POST notify, first delivery`, bffUrl, deliveries, (request) => request, accepted);
    const duplicate = cycle(deliveries);
    await timed(`${version} POST notify, duplicate`, bffUrl, () => duplicate(), accepted);
    counts.push(
      `${version}: orders created ${created.length}, first pays ${paidOnce.length}, first deliveries ${deliveries.length}`,
    );
    if (version === 'v2') {
      prepaid = paidOnce;
      notifications = deliveries.map((d) => d.body!);
    }
  }

  await fetch(`${urls.control}/peer-orders`, {
    method: 'POST',
    body: JSON.stringify(prepaid.map((o) => o.outTradeNo)),
  });
  await eachOnce('peer: tenpay notify + UPDATE, first', urls.peer, notifications, notify('/'), isSuccess);

  const paid = (await (await fetch(`${urls.control}/paid`)).json()) as { paid: number; paidV3: number };
  printTable(results, urls.storage);
  console.log(`\n${counts.join('; ')}; orders PAID: v2 ${paid.paid}, v3 ${paid.paidV3}`);
  const costs = await notifyCosts(emu.certs.wechatpayPublicKey, emu.certs.wechatpayPublicKeyId, {
    merchantKey: emu.certs.merchantKey,
    serial: new X509Certificate(emu.certs.merchantCert).serialNumber,
  });
  console.log('\nVerifying one payment notification, CPU µs per notification (this process, no HTTP or database):');
  for (const cost of costs) console.log(`  ${cost.name.padEnd(58)} ${cost.microsPerOp.toFixed(0).padStart(6)} µs`);
  await stop();
  await emu.stop();
}

function printTable(results: ScenarioResult[], storage: string): void {
  const bare = results[0]!;
  const rows = results.map((r) => [
    r.name,
    String(r.requests),
    r.rps.toFixed(0),
    `${((r.rps / bare.rps) * 100).toFixed(1)}%`,
    r.p50Ms.toFixed(1),
    r.p99Ms.toFixed(1),
    r.cpuMicrosPerRequest.toFixed(0),
    `${(r.cpuMicrosPerRequest / bare.cpuMicrosPerRequest).toFixed(1)}×`,
    r.statementsPerRequest.toFixed(1),
    String(r.failed),
  ]);
  const header = [
    'scenario',
    'requests',
    'req/s',
    'vs bare',
    'p50 ms',
    'p99 ms',
    'CPU µs/req',
    'CPU vs bare',
    'SQL/req',
    'failed',
  ];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(
    `\nBFF bench — ${CONNECTIONS} connections (autocannon, own process), ${SECONDS} s timed scenarios, ${storage}, Node ${process.version}`,
  );
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
