/**
 * A client that trickles its request must not hold a connection for Node's default 300 s:
 * the BFF's server gives up after HTTP_REQUEST_TIMEOUT_MS (HTTP_HEADERS_TIMEOUT_MS for headers).
 * The upper bounds are generous (a busy machine is slow to notice), yet a tenth of Node's default.
 */
import { describe, expect, it } from 'vitest';
import { sendRaw } from './helpers/raw-http';
import { useStack } from './helpers/stack';
import { orderBody } from './helpers/delivery-address';

/** Far above the 1 s deadline plus Node's 1 s sweep on a busy machine, far below Node's own 300 s. */
const CLOSED_WITHIN_MS = 30_000;

describe('slow requests', () => {
  const { stack } = useStack({ name: 'pglite' }, { HTTP_REQUEST_TIMEOUT_MS: '1000' });

  const host = () => new URL(stack.bff.url).host;

  it('answers 408 and closes when a body is trickled for longer than HTTP_REQUEST_TIMEOUT_MS', async () => {
    const head = `POST /api/orders HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`;
    // One byte every 100 ms keeps the socket busy, so only the request deadline can end it.
    const exchange = await sendRaw(stack.bff.url, head, { trickle: { everyMs: 100 }, giveUpMs: 2 * CLOSED_WITHIN_MS });
    expect(exchange.closed).toBe(true);
    expect(exchange.response).toMatch(/^HTTP\/1\.1 408 /);
    expect(exchange.ms).toBeGreaterThanOrEqual(900);
    expect(exchange.ms).toBeLessThan(CLOSED_WITHIN_MS);
    expect(await stack.database.db.selectFrom('orders').select('id').execute()).toEqual([]);
  });

  it('closes a connection whose headers never end (slowloris) in the same bounded time', async () => {
    // A header name that keeps growing: the headers are never complete.
    const exchange = await sendRaw(stack.bff.url, `GET /api/products HTTP/1.1\r\nHost: ${host()}\r\nX-`, {
      trickle: { everyMs: 100, byte: 'a' },
      giveUpMs: 2 * CLOSED_WITHIN_MS,
    });
    expect(exchange.closed).toBe(true);
    expect(exchange.ms).toBeLessThan(CLOSED_WITHIN_MS);
  });

  it('still serves a request sent at once, and one whose body arrives within the deadline', async () => {
    expect((await fetch(`${stack.bff.url}/api/products`)).status).toBe(200);
    const body = JSON.stringify(orderBody([{ productId: 'green-tea', quantity: 1 }]));
    const head = `POST /api/orders HTTP/1.1\r\nHost: ${host()}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
    const exchange = await sendRaw(stack.bff.url, head + body, { giveUpMs: 2 * CLOSED_WITHIN_MS });
    expect(exchange.response).toMatch(/^HTTP\/1\.1 201 /);
  });
});
