/** Pay calls reuse pooled connections: no TCP (and TLS) handshake per call on the shopper's wait. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PayClient, buildXml, randomString, sign } from '../src';
import { startServer, type TestServer } from './helpers/http-server';

const APP_ID = 'wxd930ea5d5a258f4f';
const MCH_ID = '10000100';
const KEY = '192006250b4c09247ec02edce69f6a2d';

describe('PayClient keep-alive', () => {
  let server: TestServer;
  /** The client port of the connection each request came on. */
  const ports: number[] = [];
  beforeAll(async () => {
    server = await startServer(async (req, res) => {
      ports.push(req.socket.remotePort!);
      const reply = {
        return_code: 'SUCCESS',
        result_code: 'SUCCESS',
        appid: APP_ID,
        mch_id: MCH_ID,
        nonce_str: randomString(16),
      };
      res.setHeader('Content-Type', 'text/xml');
      res.end(buildXml({ ...reply, sign: sign(reply, KEY, 'MD5') }));
    });
  });
  afterAll(() => server.close());

  const client = () =>
    new PayClient({
      appId: APP_ID,
      mchId: MCH_ID,
      apiKey: KEY,
      signType: 'MD5',
      payBaseUrl: server.url,
      timeoutMs: 30_000,
    });

  it('sends one call after another on the same connection, and reconnects after close()', async () => {
    ports.length = 0;
    const pay = client();
    for (const outTradeNo of ['KA1', 'KA2', 'KA3']) await pay.closeOrder(outTradeNo);
    expect(ports).toHaveLength(3);
    expect(new Set(ports).size).toBe(1);

    pay.close();
    await pay.closeOrder('KA4');
    expect(ports).toHaveLength(4);
    expect(ports[3]).not.toBe(ports[0]);
    pay.close();
  });

  it('keeps separate clients on separate connections', async () => {
    ports.length = 0;
    const [a, b] = [client(), client()];
    await a.closeOrder('KA5');
    await b.closeOrder('KA6');
    expect(new Set(ports).size).toBe(2);
    a.close();
    b.close();
  });
});
