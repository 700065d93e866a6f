import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiRequestError } from '../src/api/errors';
import { createOrder, fetchOrder, requestPayment } from '../src/api/orders';
import { fetchProducts } from '../src/api/products';
import { mockFetch } from './helpers/fetch-mock';
import { order, payParams, product } from './helpers/fixtures';

describe('API client', () => {
  it('returns schema-validated data', async () => {
    mockFetch({ 'GET /api/products': [{ body: { products: [product] } }] });
    await expect(fetchProducts()).resolves.toEqual([product]);
  });

  it('rejects responses that break the contract', async () => {
    mockFetch({ 'GET /api/products': [{ body: { products: [{ ...product, priceFen: 12.5 }] } }] });
    await expect(fetchProducts()).rejects.toMatchObject({ code: 'BAD_RESPONSE' });
  });

  it('throws the BFF ApiError message', async () => {
    mockFetch({
      'POST /api/orders': [
        { status: 409, body: { error: { code: 'CONFLICT', message: '库存不足', requestId: 'req-9' } } },
      ],
    });
    const error = await createOrder({ items: [{ productId: 'p', quantity: 1 }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiRequestError);
    expect(error).toMatchObject({ code: 'CONFLICT', message: '库存不足', requestId: 'req-9', status: 409 });
  });

  it('sends only product ids and quantities when creating an order', async () => {
    const { calls } = mockFetch({ 'POST /api/orders': [{ status: 201, body: order('PENDING') }] });
    const items = [{ productId: 'p-tea', quantity: 2, priceFen: 1 }];
    await createOrder({ items } as never);
    expect(calls[0]!.body).toEqual({ items: [{ productId: 'p-tea', quantity: 2 }] });
  });

  it('sends the Idempotency-Key header only when given one', async () => {
    const { calls } = mockFetch({ 'POST /api/orders': [{ status: 201, body: order('PENDING') }] });
    const items = [{ productId: 'p-tea', quantity: 2 }];
    await createOrder({ items }, '0123456789abcdef0123456789abcdef');
    await createOrder({ items });
    expect(calls.map((call) => call.headers.get('Idempotency-Key'))).toEqual([
      '0123456789abcdef0123456789abcdef',
      null,
    ]);
    expect(calls[0]!.headers.get('Content-Type')).toBe('application/json');
  });

  it('asks for the requested trade type and validates JSAPI params', async () => {
    const { calls } = mockFetch({ 'POST /api/orders/T1/pay': [{ body: { tradeType: 'JSAPI', payParams } }] });
    await expect(requestPayment('T1', 'JSAPI')).resolves.toEqual({ tradeType: 'JSAPI', payParams });
    expect(calls[0]!.body).toEqual({ tradeType: 'JSAPI' });
  });

  it("aborts the request with the caller's signal, as an abort rather than a network failure", async () => {
    const { calls } = mockFetch({ 'POST /api/orders/T1/pay': [{ hang: true }] });
    const controller = new AbortController();
    const request = requestPayment('T1', 'NATIVE', controller.signal).catch((caught: unknown) => caught);
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    expect(calls[0]!.signal?.aborted).toBe(false);
    controller.abort();
    expect(await request).toMatchObject({ name: 'AbortError' });
    expect(calls[0]!.signal?.aborted).toBe(true);
  });

  describe('a request that hangs', () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('is aborted after 15 s and fails like a dropped connection, in Chinese', async () => {
      const { calls } = mockFetch({ 'GET /api/products': [{ hang: true }] });
      const request = fetchProducts().catch((caught: unknown) => caught);
      await vi.advanceTimersByTimeAsync(14_999);
      expect(calls[0]!.signal?.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls[0]!.signal?.aborted).toBe(true);
      const error = await request;
      expect(error).toBeInstanceOf(ApiRequestError);
      expect(error).toMatchObject({ code: 'NETWORK', status: 0, message: '网络连接超时，请检查网络后重试' });
      expect(vi.getTimerCount()).toBe(0);
    });

    it('honours a shorter timeout when asked, and leaves no timer behind after an answer', async () => {
      const { calls } = mockFetch({ 'GET /api/orders/T1': [{ hang: true }, { body: order('PENDING', 'T1') }] });
      const request = fetchOrder('T1', undefined, 3000).catch((caught: unknown) => caught);
      await vi.advanceTimersByTimeAsync(3000);
      expect(calls[0]!.signal?.aborted).toBe(true);
      expect(await request).toMatchObject({ code: 'NETWORK' });

      await expect(fetchOrder('T1')).resolves.toMatchObject({ outTradeNo: 'T1' });
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  it('maps network failures to a Chinese message', async () => {
    const { fetchMock } = mockFetch({});
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await expect(fetchProducts()).rejects.toMatchObject({ code: 'NETWORK', message: '网络异常，请检查网络后重试' });
  });
});
