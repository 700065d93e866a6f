/**
 * One HTTP(S) request and its whole answer under one deadline, for both Pay API versions: via node:http(s) rather
 * than fetch so that a request can present the merchant's client certificate and use a keep-alive pool. No signing,
 * retries or protocol logic here.
 */
import {
  request as httpRequest,
  type Agent,
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
} from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { rootCertificates } from 'node:tls';
import { WechatTransportError } from '../errors';

export interface HttpExchange {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Sent byte for byte (what was signed); ignored for GET. */
  body: string;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface ExchangeOptions {
  timeoutMs: number;
  maxBytes: number;
  /** The error for an answer over maxBytes (each API version has its own error class). */
  tooLarge: (message: string) => Error;
  /** An extra CA to trust (e.g. the emulator's), added to Node's bundled roots. */
  ca?: string | Buffer;
  /** Client certificate + key, for mutual TLS. */
  clientCert?: { cert: string | Buffer; key: string | Buffer };
  /** A keep-alive pool, false for a fresh connection per call; without either, Node's global agent. */
  agent?: Agent | false;
}

/** Rejects with WechatTransportError (network, TLS, timeout) or `options.tooLarge(…)`. */
export function exchange(url: URL, request: HttpExchange, options: ExchangeOptions): Promise<HttpAnswer> {
  const isHttps = url.protocol === 'https:';
  if (!isHttps && url.protocol !== 'http:') return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  const payload = request.method === 'POST' ? Buffer.from(request.body, 'utf8') : undefined;
  const headers: Record<string, string | number> = { ...request.headers };
  if (payload) headers['Content-Length'] = payload.length;
  const requestOptions: RequestOptions = { method: request.method, headers, agent: options.agent };
  if (isHttps) {
    if (options.ca) requestOptions.ca = [...rootCertificates, options.ca.toString()];
    if (options.clientCert) {
      requestOptions.cert = options.clientCert.cert;
      requestOptions.key = options.clientCert.key;
    }
  }
  const what = `${request.method} ${url.pathname}`;

  return new Promise((resolve, reject) => {
    let settled = false;
    let req: ClientRequest | undefined;
    const finish = (err: Error | null, answer?: HttpAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req?.destroy();
        reject(err);
      } else resolve(answer as HttpAnswer);
    };
    // One deadline for connect + TLS + upload + download (socket timeouts only bound idle gaps).
    const timer = setTimeout(
      () => finish(new WechatTransportError(`${what} timed out after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          finish(options.tooLarge(`${what}: response exceeds ${options.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', (err) => finish(networkError(what, err)));
      res.on('aborted', () => finish(new WechatTransportError(`${what}: response aborted`)));
    };
    try {
      req = isHttps ? httpsRequest(url, requestOptions, onResponse) : httpRequest(url, requestOptions, onResponse);
    } catch (err) {
      // e.g. an unparsable client certificate or key: a configuration error, thrown synchronously.
      const code = (err as NodeJS.ErrnoException).code ?? 'invalid TLS options';
      finish(new WechatTransportError(`${what}: could not start the request (${code})`, undefined, { cause: err }));
      return;
    }
    req.on('error', (err) => finish(networkError(what, err)));
    req.end(payload);
  });
}

function networkError(what: string, err: Error): WechatTransportError {
  const code = (err as NodeJS.ErrnoException).code ?? err.message;
  return new WechatTransportError(`${what} failed: ${code}`, undefined, { cause: err });
}
