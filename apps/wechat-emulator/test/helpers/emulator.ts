/** Test helpers: a started emulator, signed XML calls, mTLS calls and a notification receiver. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { buildXml, decryptReqInfo, parseXml, randomString, sign, type SignType } from '@wxpay-shop/wechat';
import { createEmulator, DEFAULT_MERCHANT, openidFor, type EmulatorOptions, type Emulator } from '../../src/index';

export const M = DEFAULT_MERCHANT;
export const OPENID = openidFor(M.appId, 'zhangsan');

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = createEmulator({ port: 0, httpsPort: 0, notifyTimeScale: 0.001, ...options });
  await emulator.start();
  return emulator;
}

export type Params = Record<string, string | number | undefined>;

export function signed(params: Params, signType: SignType = 'MD5', key = M.apiKey): string {
  const all: Params = { appid: M.appId, mch_id: M.mchId, nonce_str: randomString(32), ...params };
  if (signType === 'HMAC-SHA256') all.sign_type = 'HMAC-SHA256';
  return buildXml({ ...all, sign: sign(all, key, signType) });
}

export async function postXml(
  url: string,
  body: string | Buffer,
): Promise<{ status: number; text: string; fields: Record<string, string> }> {
  const res = await fetch(url, {
    method: 'POST',
    body,
    headers: { 'Content-Type': 'text/xml' },
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  let fields: Record<string, string> = {};
  try {
    fields = await parseXml(text);
  } catch {
    /* left empty for malformed replies */
  }
  return { status: res.status, text, fields };
}

export async function payApi(emulator: Emulator, path: string, params: Params, signType: SignType = 'MD5') {
  return postXml(`${emulator.httpUrl}${path}`, signed(params, signType));
}

export function orderParams(overrides: Params = {}): Params {
  return {
    body: '测试商城-商品',
    out_trade_no: `T${Date.now()}${randomString(6)}`,
    total_fee: 101,
    spbill_create_ip: '127.0.0.1',
    notify_url: 'http://127.0.0.1:9/notify',
    trade_type: 'JSAPI',
    openid: OPENID,
    ...overrides,
  };
}

/** POST over HTTPS, optionally presenting a client certificate. */
export function postHttps(
  url: string,
  body: string,
  opts: { ca: string; cert?: string; key?: string },
): Promise<{ status: number; text: string; fields: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: 'POST',
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        agent: false,
        headers: { 'Content-Type': 'text/xml' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          parseXml(text).then(
            (fields) => resolve({ status: res.statusCode ?? 0, text, fields }),
            () => resolve({ status: res.statusCode ?? 0, text, fields: {} }),
          );
        });
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** TLS options of a /secapi call presenting the default merchant's apiclient_cert. */
export function merchantTls(emulator: Emulator): { ca: string; cert: string; key: string } {
  return { ca: emulator.certs.caCert, cert: emulator.certs.merchantCert, key: emulator.certs.merchantKey };
}

/** The decrypted `req_info` of a refund notification body (root `<root>`). */
export async function refundNotice(body: string, apiKey = M.apiKey): Promise<Record<string, string>> {
  return parseXml(decryptReqInfo((await parseXml(body)).req_info!, apiKey), { root: 'root' });
}

export interface Received {
  body: string;
  contentType: string | undefined;
  headers: IncomingMessage['headers'];
  at: number;
}

/** A merchant notify_url: records bodies and answers with `reply(n)` (n = 0-based request index). */
export async function startReceiver(
  reply: (n: number, body: string) => { status?: number; body: string } = () => ({ body: SUCCESS_REPLY }),
) {
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const n = received.length;
      received.push({ body, contentType: req.headers['content-type'], headers: req.headers, at: Date.now() });
      const answer = reply(n, body);
      res.writeHead(answer.status ?? 200, { 'Content-Type': 'text/xml' });
      res.end(answer.body);
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/wxpay/notify`;
  return {
    url,
    received,
    /** Resolves once `count` notifications arrived (bounded by `timeoutMs`). */
    async waitFor(count: number, timeoutMs = 30_000): Promise<Received[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline)
          throw new Error(`only ${received.length}/${count} notifications within ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
      return received;
    },
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

export const SUCCESS_REPLY =
  '<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>';
export const FAIL_REPLY =
  '<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[busy]]></return_msg></xml>';

export async function json(emulator: Emulator, path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${emulator.httpUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: init.body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Polls `check` until it is truthy (bounded). */
/** Polls `check`; the deadline only bounds a hang, so it is generous (a busy machine is slow, not wrong). */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * fetch() as a browser page at `pageOrigin` makes it: Origin and Sec-Fetch-Site set by the
 * browser, a CORS preflight before a non-simple request, and a cross-origin answer without
 * `Access-Control-Allow-Origin` for this page turned into a network error (the page reads nothing).
 */
export function browserFetch(pageOrigin: string): (url: string | URL, init?: RequestInit) => Promise<Response> {
  const corsFailure = (url: URL) =>
    new TypeError(`Failed to fetch ${url.pathname}: no CORS allowance for ${pageOrigin}`);
  const allows = (res: Response) => res.headers.get('access-control-allow-origin') === pageOrigin;
  return async (input, init = {}) => {
    const url = new URL(input, pageOrigin);
    const method = init.method ?? 'GET';
    const sameOrigin = url.origin === pageOrigin;
    const headers = new Headers(init.headers);
    // Node's fetch would add text/plain to a string body; a browser does too.
    if (typeof init.body === 'string' && !headers.has('content-type'))
      headers.set('content-type', 'text/plain;charset=UTF-8');
    headers.set('sec-fetch-site', sameOrigin ? 'same-origin' : 'cross-site');
    if (!sameOrigin || (method !== 'GET' && method !== 'HEAD')) headers.set('origin', pageOrigin);
    const type = (headers.get('content-type') ?? '').split(';')[0]!.trim();
    const simple =
      ['GET', 'HEAD', 'POST'].includes(method) &&
      ['', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data'].includes(type);
    if (!sameOrigin && !simple) {
      const preflight = await fetch(url, {
        method: 'OPTIONS',
        headers: {
          origin: pageOrigin,
          'sec-fetch-site': 'cross-site',
          'access-control-request-method': method,
          'access-control-request-headers': 'content-type',
        },
        signal: AbortSignal.timeout(30_000),
      });
      if (!allows(preflight)) throw corsFailure(url);
    }
    const res = await fetch(url, { ...init, method, headers, signal: AbortSignal.timeout(30_000) });
    if (!sameOrigin && !allows(res)) throw corsFailure(url);
    return res;
  };
}
