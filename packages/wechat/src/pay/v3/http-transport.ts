/** One HTTP(S) exchange with a JSON API: no signing, retries or protocol logic here. */
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { rootCertificates } from 'node:tls';
import { WechatTransportError } from '../../errors';
import { WechatJsonError } from './errors';

export interface HttpExchange {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Sent byte for byte (what was signed). */
  body: string;
}

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpOptions {
  timeoutMs: number;
  maxBytes: number;
  /** An extra CA to trust (e.g. the emulator's), added to Node's bundled roots. */
  ca?: string | Buffer;
}

/** Rejects with WechatTransportError (network, TLS, timeout) or WechatJsonError TOO_LARGE. */
export function exchange(url: URL, request: HttpExchange, options: HttpOptions): Promise<HttpAnswer> {
  const isHttps = url.protocol === 'https:';
  if (!isHttps && url.protocol !== 'http:') return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  const payload = Buffer.from(request.body, 'utf8');
  const headers: Record<string, string | number> = { ...request.headers };
  if (request.method === 'POST') headers['Content-Length'] = payload.length;
  const requestOptions: RequestOptions = { method: request.method, headers };
  if (isHttps && options.ca) requestOptions.ca = [...rootCertificates, options.ca.toString()];
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
    // One deadline for connect + TLS + upload + download.
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
          finish(new WechatJsonError(`${what}: response exceeds ${options.maxBytes} bytes`, 'TOO_LARGE', 'upstream'));
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
      finish(new WechatTransportError(`${what}: could not start the request`, undefined, { cause: err }));
      return;
    }
    req.on('error', (err) => finish(networkError(what, err)));
    req.end(request.method === 'POST' ? payload : undefined);
  });
}

function networkError(what: string, err: Error): WechatTransportError {
  const code = (err as NodeJS.ErrnoException).code ?? err.message;
  return new WechatTransportError(`${what} failed: ${code}`, undefined, { cause: err });
}
