import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseXml, verify } from '@wxpay-shop/wechat';
import type { Emulator } from '../src/index';
import { RETRY_INTERVALS_SEC } from '../src/index';
import {
  eventually,
  FAIL_REPLY,
  json,
  M,
  OPENID,
  orderParams,
  payApi,
  startEmulator,
  startReceiver,
  SUCCESS_REPLY,
} from './helpers/emulator';

let emu: Emulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
afterEach(async () => {
  await emu.stop();
  await receiver.close();
});

async function order(signType: 'MD5' | 'HMAC-SHA256' = 'MD5', extra: Record<string, string> = {}) {
  const params = orderParams({ notify_url: receiver.url, attach: '附加数据', ...extra });
  const res = await payApi(emu, '/pay/unifiedorder', params, signType);
  return { outTradeNo: params.out_trade_no as string, prepayId: res.fields.prepay_id! };
}

describe('payment notification', () => {
  beforeEach(async () => {
    emu = await startEmulator();
  });

  it('delivers the signed §5.1 fields as text/xml and stops on a SUCCESS reply', async () => {
    receiver = await startReceiver();
    for (const signType of ['MD5', 'HMAC-SHA256'] as const) {
      const { outTradeNo, prepayId } = await order(signType);
      await emu.pay(prepayId);
      const got = await receiver.waitFor(signType === 'MD5' ? 1 : 2);
      const last = got.at(-1)!;
      expect(last.contentType).toContain('text/xml');
      const fields = await parseXml(last.body);
      expect(fields).toMatchObject({
        appid: M.appId,
        mch_id: M.mchId,
        return_code: 'SUCCESS',
        result_code: 'SUCCESS',
        openid: OPENID,
        is_subscribe: 'N',
        trade_type: 'JSAPI',
        bank_type: 'CFT',
        total_fee: '101',
        fee_type: 'CNY',
        cash_fee: '101',
        out_trade_no: outTradeNo,
        attach: '附加数据',
      });
      expect(fields.transaction_id).toMatch(/^4200\d{24}$/);
      expect(fields.time_end).toMatch(/^\d{14}$/);
      if (signType === 'HMAC-SHA256') expect(fields.sign_type).toBe('HMAC-SHA256');
      else expect(fields.sign_type).toBeUndefined();
      expect(verify(fields, M.apiKey, signType)).toBe(true);
    }
    await eventually(() => [...emu.state.deliveries.values()].every((d) => d.status === 'delivered'));
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toHaveLength(2); // no retries after SUCCESS
  });

  it('retries on FAIL, bare "success" and HTTP 500 on the compressed schedule, then succeeds', async () => {
    const replies = [{ body: FAIL_REPLY }, { body: 'success' }, { status: 500, body: SUCCESS_REPLY }];
    receiver = await startReceiver((n) => replies[n] ?? { body: SUCCESS_REPLY });
    const { prepayId } = await order();
    await emu.pay(prepayId);
    const got = await receiver.waitFor(4);
    // Same notification each time.
    expect(new Set(got.map((g) => g.body)).size).toBe(1);
    const delivery = await eventually(() => [...emu.state.deliveries.values()].find((d) => d.status === 'delivered'));
    expect(delivery.attempts.map((a) => a.outcome)).toEqual(['fail', 'fail', 'fail', 'success']);
    expect(delivery.attempts[0]!.reason).toContain('return_code=FAIL');
    expect(delivery.attempts[1]!.reason).toBe('reply is not WeChat XML');
    expect(delivery.attempts[2]!.httpStatus).toBe(500);
    // 15 s × 0.001 = 15 ms between the first two attempts (give or take scheduling).
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(10);
  });

  it('return_msg is optional: <return_code>SUCCESS</return_code> alone, without CDATA, ends the retries', async () => {
    receiver = await startReceiver(() => ({ body: '<xml><return_code>SUCCESS</return_code></xml>' }));
    const { prepayId } = await order();
    await emu.pay(prepayId);
    const delivery = await eventually(() => [...emu.state.deliveries.values()].find((d) => d.status === 'delivered'));
    expect(delivery.attempts.map((a) => a.outcome)).toEqual(['success']);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toHaveLength(1);
  });

  it('gives up after the 15 scheduled retries (16 attempts)', async () => {
    await emu.stop();
    emu = await startEmulator({ notifyTimeScale: 0.00001 });
    receiver = await startReceiver(() => ({ body: FAIL_REPLY }));
    expect(RETRY_INTERVALS_SEC).toEqual([
      15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
    ]);
    const { prepayId } = await order();
    await emu.pay(prepayId);
    const delivery = await eventually(
      () => [...emu.state.deliveries.values()].find((d) => d.status === 'failed'),
      60_000,
    );
    expect(delivery.attempts).toHaveLength(16);
    await new Promise((r) => setTimeout(r, 50));
    expect(receiver.received).toHaveLength(16);
  });

  it("a merchant's notifyTimeScale overrides the emulator-wide one for its retries", async () => {
    await emu.stop();
    emu = await startEmulator({ notifyTimeScale: 0.001, merchants: [{ ...M, notifyTimeScale: 1 }] });
    receiver = await startReceiver(() => ({ body: FAIL_REPLY }));
    const { prepayId } = await order();
    await emu.pay(prepayId);
    const delivery = await eventually(() =>
      [...emu.state.deliveries.values()].find((d) => d.nextAttemptAt !== undefined && d.attempts.length === 1),
    );
    // The first retry is due 15 s (real time) after the failed attempt, not 15 ms.
    expect(delivery.nextAttemptAt! - delivery.attempts[0]!.at).toBeGreaterThanOrEqual(15_000);
  });

  it('replay re-sends a delivery and reports the attempt', async () => {
    receiver = await startReceiver((n) => (n === 0 ? { body: FAIL_REPLY } : { body: SUCCESS_REPLY }));
    await emu.stop();
    emu = await startEmulator({ notifyTimeScale: 1 }); // keep the scheduled retry far away
    const { prepayId } = await order();
    await emu.pay(prepayId);
    await receiver.waitFor(1);
    const pending = await eventually(() => [...emu.state.deliveries.values()].find((d) => d.attempts.length === 1));
    expect(pending.status).toBe('pending');
    const replay = await json(emu, `/__emulator/notifications/${pending.id}/replay`, { method: 'POST' });
    expect(replay.status).toBe(200);
    expect(replay.body.attempt).toMatchObject({ outcome: 'success', manual: 'replay' });
    expect(emu.state.deliveries.get(pending.id)!.status).toBe('delivered');
    expect((await json(emu, '/__emulator/notifications/n999/replay', { method: 'POST' })).status).toBe(409);
  });

  it('notify-duplicates sends the same notification N times concurrently', async () => {
    receiver = await startReceiver();
    const { outTradeNo, prepayId } = await order();
    await emu.pay(prepayId);
    await receiver.waitFor(1);
    const res = await json(emu, '/__emulator/notify-duplicates', { body: { outTradeNo, times: 3 } });
    expect(res.status).toBe(200);
    expect(res.body.attempts).toHaveLength(3);
    const got = await receiver.waitFor(4);
    const dupes = got.slice(1).map((g) => g.body);
    expect(new Set(dupes).size).toBe(1);
    expect((await parseXml(dupes[0]!)).out_trade_no).toBe(outTradeNo);

    const unpaid = await order();
    expect(
      (await json(emu, '/__emulator/notify-duplicates', { body: { outTradeNo: unpaid.outTradeNo, times: 2 } })).status,
    ).toBe(409);
  });

  it('a refused connection counts as a failed attempt and stop() cancels pending retries', async () => {
    receiver = await startReceiver();
    const params = orderParams({ notify_url: 'http://127.0.0.1:9/notify' });
    const res = await payApi(emu, '/pay/unifiedorder', params);
    await emu.pay(res.fields.prepay_id!);
    const delivery = await eventually(() => [...emu.state.deliveries.values()].find((d) => d.attempts.length >= 1));
    expect(delivery.attempts[0]!.outcome).toBe('fail');
    const count = delivery.attempts.length;
    await emu.stop();
    expect(delivery.nextAttemptAt).toBeUndefined();
    await new Promise((r) => setTimeout(r, 150));
    // At most the attempt that was in flight at stop() lands (whenever a busy machine gets to it); none is scheduled.
    expect(delivery.attempts.length).toBeLessThanOrEqual(count + 1);
    expect(delivery.nextAttemptAt).toBeUndefined();
  });
});
