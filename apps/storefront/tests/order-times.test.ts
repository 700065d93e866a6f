import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBeijingDateTime } from '../src/lib/beijing-time';
import OrdersView from '../src/views/OrdersView.vue';
import { mockFetch } from './helpers/fetch-mock';
import { order } from './helpers/fixtures';
import { mountView } from './helpers/mount-view';

// A shopper abroad: the browser's zone must not leak into times shown next to order numbers.
const savedTz = process.env.TZ;

beforeAll(() => {
  process.env.TZ = 'America/Los_Angeles';
});

afterAll(() => {
  if (savedTz === undefined) delete process.env.TZ;
  else process.env.TZ = savedTz;
});

describe('formatBeijingDateTime', () => {
  it('runs in a non-China time zone (guards the tests below)', () => {
    expect(new Date('2026-11-26T16:30:00.000Z').getHours()).toBe(8);
  });

  it('shows Beijing time (UTC+8) as yyyy-MM-dd HH:mm:ss', () => {
    expect(formatBeijingDateTime('2026-11-26T10:00:00.000Z')).toBe('2026-11-26 18:00:00');
    expect(formatBeijingDateTime('2026-07-01T01:02:03Z')).toBe('2026-07-01 09:02:03');
  });

  it('moves to the next Beijing day at 16:00 UTC, like the order number’s date', () => {
    expect(formatBeijingDateTime('2026-11-26T15:59:59.999Z')).toBe('2026-11-26 23:59:59');
    expect(formatBeijingDateTime('2026-11-26T16:00:00.000Z')).toBe('2026-11-27 00:00:00');
    expect(formatBeijingDateTime('2026-12-31T16:00:00.000Z')).toBe('2027-01-01 00:00:00');
  });

  it('honours an explicit offset in the input', () => {
    expect(formatBeijingDateTime('2026-11-27T00:30:00+08:00')).toBe('2026-11-27 00:30:00');
  });

  it('shows unparseable input as it came', () => {
    expect(formatBeijingDateTime('not a time')).toBe('not a time');
  });
});

describe('My orders', () => {
  it('shows each order’s time in Beijing time, on the date its order number carries', async () => {
    // Placed at 00:30 Beijing time on 27 Nov: still 26 Nov in UTC and in Los Angeles.
    const late = { ...order('PAID', '20261127003000a1B2c3D4e5F6g7'), createdAt: '2026-11-26T16:30:00.000Z' };
    mockFetch({ 'GET /api/orders': [{ body: { orders: [late] } }] });
    const { wrapper } = await mountView(OrdersView, { path: '/orders', props: {} });

    const time = wrapper.get(`[data-order="${late.outTradeNo}"] time`);
    expect(time.text()).toBe('2026-11-27 00:30:00');
    expect(time.attributes('datetime')).toBe('2026-11-26T16:30:00.000Z');
  });
});
