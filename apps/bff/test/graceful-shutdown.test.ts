/**
 * SIGTERM during a burst of payment notifications (a rolling deploy): the BFF stops accepting, answers
 * the requests in flight, stops its reconciler and database, and exits 0. Every notification is either
 * acknowledged (and recorded) or not acknowledged, and then WeChat's retry to the next instance records
 * it: none is lost, none is applied twice.
 */
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/db/connect';
import { Browser } from './helpers/browser';
import { startBffProcess, type BffProcess } from './helpers/bff-process';
import { MERCHANT, SUCCESS_XML, payNotifyXml, waitFor } from './helpers/stack';
import { orderBody } from './helpers/delivery-address';

const ORDERS = 20;

/** A notification whose headers the server has read (it answered 100 Continue) and whose body is still to come. */
async function inFlightNotification(url: string, xml: string) {
  const req = request(`${url}/api/wechat/pay/notify`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(xml), Expect: '100-continue' },
  });
  const answer = new Promise<{ status: number; body: string; connection: string | undefined }>((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => void (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, connection: res.headers.connection }));
    });
    req.on('error', reject);
  });
  await new Promise<void>((resolve) => req.once('continue', resolve));
  return { finish: () => req.end(xml), answer };
}

async function notify(url: string, xml: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/api/wechat/pay/notify`, {
      method: 'POST',
      body: xml,
      headers: { 'Content-Type': 'text/xml' },
    });
    return SUCCESS_XML.test(await res.text());
  } catch {
    return false; // refused or reset: no answer, so WeChat re-sends
  }
}

describe('SHUTDOWN_GRACE_MS', () => {
  it('defaults to 10 s and is bounded to 0–600 s', () => {
    const base = {
      NODE_ENV: 'test',
      DATABASE_URL: 'memory://',
      WECHAT_APP_ID: MERCHANT.appId,
      WECHAT_APP_SECRET: MERCHANT.appSecret,
      WECHAT_MCH_ID: MERCHANT.mchId,
      WECHAT_PAY_API_KEY: MERCHANT.apiKey,
    };
    expect(loadConfig(base).shutdownGraceMs).toBe(10_000);
    expect(loadConfig({ ...base, SHUTDOWN_GRACE_MS: '0' }).shutdownGraceMs).toBe(0);
    expect(() => loadConfig({ ...base, SHUTDOWN_GRACE_MS: '600001' })).toThrow(/SHUTDOWN_GRACE_MS/);
  });
});

describe('SIGTERM during a burst of notifications', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bff-shutdown-'));
  const env = { PGLITE_DIR: dataDir, RECONCILE_INTERVAL_MS: '50', SHUTDOWN_GRACE_MS: '60000' };
  const started: BffProcess[] = [];
  afterAll(() => {
    for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  });

  it('answers what is in flight, exits 0, and with WeChat retrying every payment ends PAID exactly once', async () => {
    const first = await startBffProcess(env);
    started.push(first);
    const shopper = new Browser(first.url);
    const orders: { outTradeNo: string; totalFen: number }[] = [];
    for (let i = 0; i < ORDERS; i++) {
      const res = await shopper.post('/api/orders', orderBody([{ productId: 'green-tea', quantity: 1 }]));
      expect(res.status).toBe(201);
      orders.push((await res.json()) as { outTradeNo: string; totalFen: number });
    }
    const xmls = orders.map((o, i) =>
      payNotifyXml({
        outTradeNo: o.outTradeNo,
        totalFee: o.totalFen,
        transactionId: `42000000002026${String(i).padStart(14, '0')}`,
      }),
    );

    const held = await inFlightNotification(first.url, xmls[0]!);
    const burst = xmls.slice(1).map((xml) => notify(first.url, xml));
    first.child.kill('SIGTERM');
    // The signal is handled when the process gets to it: only then is the held body sent (a busy machine
    // could otherwise answer it before the shutdown began).
    await waitFor(async () => first.logs().some((l) => l.msg === 'shutting down'));
    held.finish();
    const heldAnswer = await held.answer;
    expect(heldAnswer.status).toBe(200);
    expect(heldAnswer.body).toMatch(SUCCESS_XML);
    expect(heldAnswer.connection).toBe('close');
    const acknowledged = [true, ...(await Promise.all(burst))];
    expect(await first.exited).toBe(0);
    expect(first.logs().map((l) => l.msg)).toContain('shut down');

    // WeChat re-sends what was not acknowledged, and may re-send the rest too: the next instance takes both.
    const second = await startBffProcess(env);
    started.push(second);
    for (const [i, xml] of xmls.entries()) {
      if (!acknowledged[i]) expect(await notify(second.url, xml)).toBe(true);
    }
    for (const xml of xmls) expect(await notify(second.url, xml)).toBe(true);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    const database = await openDatabase({ kind: 'pglite', dataDir });
    try {
      const paid = await database.db
        .selectFrom('order_events')
        .innerJoin('orders', 'orders.id', 'order_events.order_id')
        .select(['orders.out_trade_no', 'orders.status'])
        .where('order_events.to_status', '=', 'PAID')
        .execute();
      expect(paid.map((p) => p.out_trade_no).sort()).toEqual(orders.map((o) => o.outTradeNo).sort());
      expect(new Set(paid.map((p) => p.status))).toEqual(new Set(['PAID']));
    } finally {
      await database.close();
    }
  }, 180_000);
});
