/**
 * A pay call WeChat answers with something that is not its XML: an upstream failure (502
 * UPSTREAM_ERROR, logged as one), never our own 500, and the shopper can simply retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiErrorSchema, PayResponseSchema } from '@wxpay-shop/contract';
import { backends } from './helpers/backends';
import { createOrder, orderRow, startStack, type Stack } from './helpers/stack';

interface LogEntry {
  level: number;
  msg: string;
  err?: { type?: string; source?: string; outcome?: string; message?: string };
}

describe.each(backends)('pay calls WeChat answers with garbage ($name)', (backend) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack(backend, {}, { captureLogs: true });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('unifiedorder answering non-XML → 502 UPSTREAM_ERROR, logged as an upstream failure; a retry pays', async () => {
    const browser = stack.browser();
    const order = await createOrder(browser);
    const logsBefore = stack.logs().length;
    // The emulator answers 200 with a truncated `<xml><return_code><![CDATA[SUCC` once.
    expect((await stack.control('faults', { target: 'unifiedorder', kind: 'malformed' })).status).toBe(201);
    const res = await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' });
    const text = await res.text();
    expect(stack.emu.state.faults).toHaveLength(0); // the BFF really did call unifiedorder
    expect(res.status).toBe(502);
    const body = ApiErrorSchema.parse(JSON.parse(text));
    expect(body.error).toMatchObject({ code: 'UPSTREAM_ERROR', message: 'WeChat is unavailable, please retry' });
    expect(text).not.toMatch(/CDATA|malformed/i);

    const entries = stack
      .logs()
      .slice(logsBefore)
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as LogEntry);
    const logged = entries.find((entry) => entry.msg === 'upstream call failed');
    expect(logged).toMatchObject({
      level: 50,
      err: { type: 'WechatXmlError', source: 'upstream', outcome: 'unknown' },
    });
    expect(entries.some((entry) => entry.msg === 'request failed')).toBe(false);
    expect((await orderRow(stack, order.outTradeNo)).prepay_id).toBeNull();

    const retry = await browser.post(`/api/orders/${order.outTradeNo}/pay`, { tradeType: 'NATIVE' });
    expect(retry.status).toBe(200);
    expect(PayResponseSchema.parse(await retry.json()).tradeType).toBe('NATIVE');
  });
});
