import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildJsapiPayParams, buildJssdkConfig } from '@wxpay-shop/wechat';
import type { Emulator, EmulatorOptions } from '../src/index';
import { createEmulator, StateFileInUseError } from '../src/index';
import {
  eventually,
  FAIL_REPLY,
  json,
  M,
  merchantTls,
  orderParams,
  payApi,
  postHttps,
  signed,
  startEmulator,
  startReceiver,
  SUCCESS_REPLY,
} from './helpers/emulator';

let dir: string;
let file: string;
const running: Emulator[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wx-emu-state-'));
  file = join(dir, 'nested', 'emulator-state.json');
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

async function boot(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator({ stateFile: file, ...options });
  running.push(emu);
  return emu;
}

async function restart(emu: Emulator, options: EmulatorOptions = {}): Promise<Emulator> {
  await emu.stop();
  running.splice(running.indexOf(emu), 1);
  return boot(options);
}

/** What the storefront does with a cached prepay_id: the bridge's pay request, then 支付 on the sheet. */
async function payThroughBridge(emu: Emulator, prepayId: string): Promise<Record<string, unknown>> {
  const params = buildJsapiPayParams({ appId: M.appId, prepayId, signType: 'MD5', apiKey: M.apiKey });
  const opened = await fetch(`${emu.httpUrl}/__bridge/pay-request`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(params),
    signal: AbortSignal.timeout(30_000),
  });
  const sheet = (await opened.json()) as { ok: boolean; ticket?: string; err_desc?: string };
  if (!sheet.ok) return sheet;
  const confirmed = await fetch(`${emu.httpUrl}/__bridge/tickets/${sheet.ticket}/confirm`, {
    method: 'POST',
    signal: AbortSignal.timeout(30_000),
  });
  return (await confirmed.json()) as Record<string, unknown>;
}

describe('state file (EMULATOR_STATE_FILE)', () => {
  it('after a restart the cached prepay_id is still payable, re-entry returns it, orderquery and OAuth tokens still work', async () => {
    let emu = await boot();
    const params = orderParams();
    const prepayId = (await payApi(emu, '/pay/unifiedorder', params)).fields.prepay_id!;
    const location = (
      await fetch(
        `${emu.httpUrl}/connect/oauth2/authorize?appid=${M.appId}&redirect_uri=${encodeURIComponent('http://localhost/cb')}&response_type=code&scope=snsapi_base&state=s`,
        { redirect: 'manual' },
      )
    ).headers.get('location')!;
    const code = new URL(location).searchParams.get('code')!;
    const token = (await (
      await fetch(
        `${emu.httpUrl}/sns/oauth2/access_token?appid=${M.appId}&secret=${M.appSecret}&code=${code}&grant_type=authorization_code`,
      )
    ).json()) as Record<string, string>;

    emu = await restart(emu);

    expect((await payApi(emu, '/pay/orderquery', { out_trade_no: params.out_trade_no })).fields).toMatchObject({
      result_code: 'SUCCESS',
      trade_state: 'NOTPAY',
    });
    expect((await payApi(emu, '/pay/unifiedorder', params)).fields.prepay_id).toBe(prepayId);
    expect(await payThroughBridge(emu, prepayId)).toEqual({ ok: true });
    expect((await payApi(emu, '/pay/orderquery', { out_trade_no: params.out_trade_no })).fields.trade_state).toBe(
      'SUCCESS',
    );
    const auth = (await (
      await fetch(`${emu.httpUrl}/sns/auth?access_token=${token.access_token}&openid=${token.openid}`)
    ).json()) as Record<string, unknown>;
    expect(auth).toEqual({ errcode: 0, errmsg: 'ok' });
    // The used code stays used.
    const reuse = (await (
      await fetch(
        `${emu.httpUrl}/sns/oauth2/access_token?appid=${M.appId}&secret=${M.appSecret}&code=${code}&grant_type=authorization_code`,
      )
    ).json()) as Record<string, unknown>;
    expect(reuse.errcode).toBe(40163);

    // The payment itself survives the next restart, and new ids do not collide with old ones.
    emu = await restart(emu);
    expect((await payApi(emu, '/pay/orderquery', { out_trade_no: params.out_trade_no })).fields.trade_state).toBe(
      'SUCCESS',
    );
    expect((await payApi(emu, '/pay/unifiedorder', params)).fields.err_code).toBe('ORDERPAID');
    const ids = (await json(emu, '/__emulator/state')).body.notifications as Array<{ id: string }>;
    expect(new Set(ids.map((n) => n.id)).size).toBe(ids.length);
    // Written atomically: no temp file is left beside it (only the running emulator's lock).
    expect(readdirSync(join(dir, 'nested')).sort()).toEqual(['emulator-state.json', 'emulator-state.json.lock']);
  });

  it("the global token and jsapi_ticket survive a restart: the BFF's cached ticket still verifies in wx.config", async () => {
    let emu = await boot();
    const token = (await (
      await fetch(`${emu.httpUrl}/cgi-bin/stable_token`, {
        method: 'POST',
        body: JSON.stringify({ grant_type: 'client_credential', appid: M.appId, secret: M.appSecret }),
      })
    ).json()) as { access_token: string };
    const ticket = (
      (await (
        await fetch(`${emu.httpUrl}/cgi-bin/ticket/getticket?access_token=${token.access_token}&type=jsapi`)
      ).json()) as { ticket: string }
    ).ticket;

    emu = await restart(emu);

    const url = 'http://127.0.0.1:5173/products/green-tea';
    const config = { ...buildJssdkConfig({ appId: M.appId, jsapiTicket: ticket, url }), url };
    const verdict = await fetch(`${emu.httpUrl}/__jssdk/config`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(config),
    });
    expect(await verdict.json()).toEqual({ ok: true });
    // Normal mode hands out the same token as before the restart.
    const again = (await (
      await fetch(`${emu.httpUrl}/cgi-bin/stable_token`, {
        method: 'POST',
        body: JSON.stringify({ grant_type: 'client_credential', appid: M.appId, secret: M.appSecret }),
      })
    ).json()) as { access_token: string };
    expect(again.access_token).toBe(token.access_token);
  });

  it('a notification still being retried at shutdown continues after the restart', async () => {
    let failing = true;
    const receiver = await startReceiver(() => ({ body: failing ? FAIL_REPLY : SUCCESS_REPLY }));
    try {
      let emu = await boot();
      const prepayId = (await payApi(emu, '/pay/unifiedorder', orderParams({ notify_url: receiver.url }))).fields
        .prepay_id!;
      await emu.pay(prepayId);
      await receiver.waitFor(2);
      emu = await restart(emu);
      failing = false;
      const delivered = await eventually(() =>
        [...emu.state.deliveries.values()].find((d) => d.status === 'delivered'),
      );
      // The failed attempts made before the restart are still on record, followed by the success.
      expect(delivered.attempts[0]!.outcome).toBe('fail');
      expect(delivered.attempts.at(-1)!.outcome).toBe('success');
      expect(receiver.received.length).toBeGreaterThanOrEqual(3);
    } finally {
      await receiver.close();
    }
  });

  it('keeps a USERPAYING order and the end arranged for a refund still PROCESSING at shutdown', async () => {
    let emu = await boot({ refundDelayMs: 60_000 });
    const waiting = orderParams();
    await payApi(emu, '/pay/unifiedorder', waiting);
    await json(emu, '/__emulator/trade-state', {
      body: { outTradeNo: waiting.out_trade_no, tradeState: 'USERPAYING' },
    });
    const paid = orderParams();
    await emu.pay((await payApi(emu, '/pay/unifiedorder', paid)).fields.prepay_id!);
    await json(emu, '/__emulator/refund-outcome', { body: { status: 'REFUNDCLOSE' } });
    await postHttps(
      `${emu.httpsUrl}/secapi/pay/refund`,
      signed({ out_trade_no: paid.out_trade_no, out_refund_no: 'RK1', total_fee: 101, refund_fee: 101 }),
      merchantTls(emu),
    );

    emu = await restart(emu, { refundDelayMs: 30 });
    expect((await payApi(emu, '/pay/orderquery', { out_trade_no: waiting.out_trade_no })).fields.trade_state).toBe(
      'USERPAYING',
    );
    await eventually(() => emu.state.refunds.get(`${M.mchId}:RK1`)?.status === 'REFUNDCLOSE');
  });

  it('a malformed state file is refused with an error naming it, and left as it was', () => {
    const bad = join(dir, 'bad.json');
    for (const content of [
      '{"version":1,',
      JSON.stringify({ version: 99 }),
      JSON.stringify({ version: 1, sequence: 0, currentUserId: 'zhangsan', orders: [{ mchId: M.mchId }] }),
    ]) {
      writeFileSync(bad, content);
      expect(() => createEmulator({ port: 0, httpsPort: 0, stateFile: bad })).toThrow(`emulator state file ${bad}`);
      expect(readFileSync(bad, 'utf8')).toBe(content);
    }
  });

  it('reset is saved too: a restart after POST /__emulator/reset starts empty', async () => {
    let emu = await boot();
    const params = orderParams();
    await payApi(emu, '/pay/unifiedorder', params);
    await json(emu, '/__emulator/reset', { method: 'POST', body: {} });
    emu = await restart(emu);
    expect((await payApi(emu, '/pay/orderquery', { out_trade_no: params.out_trade_no })).fields.err_code).toBe(
      'ORDERNOTEXIST',
    );
  });

  it('a second emulator on a state file in use → StateFileInUseError naming the pid; after stop() it may start', async () => {
    const first = await boot();
    const second = () => createEmulator({ port: 0, httpsPort: 0, stateFile: file });
    expect(second).toThrow(StateFileInUseError);
    expect(second).toThrow(`emulator state file ${file} is in use by process ${process.pid}`);
    await restart(first);
  });

  it("a lock left by a process that is gone (killed, crashed) is stale: it is taken over and the file's state kept", async () => {
    const emu = await boot();
    const params = orderParams();
    await payApi(emu, '/pay/unifiedorder', params);
    await emu.stop();
    running.splice(running.indexOf(emu), 1);
    expect(existsSync(`${file}.lock`)).toBe(false);
    const dead = spawn(process.execPath, ['-e', '0']);
    const deadPid = dead.pid!;
    await new Promise((resolve) => dead.once('exit', resolve));
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: deadPid }));

    const next = await boot();
    expect(next.state.findOrder(M.mchId, params.out_trade_no as string)).toBeDefined();
    expect(JSON.parse(readFileSync(`${file}.lock`, 'utf8')).pid).toBe(process.pid);
  });
});
