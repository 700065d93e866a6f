/**
 * Pay v2's one HTTP(S) POST of an XML body, via node:http(s) rather than fetch so that `/secapi/*`
 * can present the merchant's client certificate. No retries and no protocol logic here.
 */
import { request as httpRequest, type Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions as HttpsRequestOptions } from 'node:https';
import { rootCertificates } from 'node:tls';
import { WechatTransportError, WechatXmlError } from '../../errors';

/** cert/key are needed for /secapi/* only (PayClient refuses to send there without them). */
export interface ClientTls {
  cert?: string | Buffer;
  key?: string | Buffer;
  /** An extra CA to trust (e.g. the emulator's), added to Node's bundled roots. */
  ca?: string | Buffer;
}

interface PostXmlOptions {
  timeoutMs: number;
  maxBytes: number;
  /** Extra trusted CA for any HTTPS call. */
  ca?: string | Buffer;
  /** Client certificate + key, for mutual TLS. */
  clientCert?: { cert: string | Buffer; key: string | Buffer };
  /** A keep-alive pool (agents.ts); without one, a fresh connection per call. */
  agent?: Agent;
}

interface PostXmlResult {
  status: number;
  body: Buffer;
}

/** Rejects with WechatTransportError (network, TLS, timeout) or WechatXmlError TOO_LARGE (source 'upstream'). */
export function postXml(url: URL, body: string, options: PostXmlOptions): Promise<PostXmlResult> {
  const isHttps = url.protocol === 'https:';
  if (!isHttps && url.protocol !== 'http:') return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  const payload = Buffer.from(body, 'utf8');
  const requestOptions: HttpsRequestOptions = {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=utf-8', 'Content-Length': payload.length },
    // A client certificate's pool is its own (AgentPool keys it apart), so it never leaks onto a shared socket.
    agent: options.agent ?? false,
  };
  if (isHttps) {
    if (options.ca) requestOptions.ca = [...rootCertificates, options.ca.toString()];
    if (options.clientCert) {
      requestOptions.cert = options.clientCert.cert;
      requestOptions.key = options.clientCert.key;
    }
  }

  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, result?: PostXmlResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req?.destroy();
        reject(err);
      } else resolve(result as PostXmlResult);
    };
    // One deadline for connect + TLS + upload + download (socket timeouts only bound idle gaps).
    const timer = setTimeout(
      () => finish(new WechatTransportError(`POST ${url.pathname} timed out after ${options.timeoutMs} ms`)),
      options.timeoutMs,
    );

    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBytes) {
          finish(new WechatXmlError(`response exceeds ${options.maxBytes} bytes`, 'TOO_LARGE', 'upstream'));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => finish(null, { status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', (err) => finish(networkError(url, err)));
      res.on('aborted', () => finish(new WechatTransportError(`POST ${url.pathname}: response aborted`)));
    };

    let req: ClientRequest;
    try {
      req = isHttps ? httpsRequest(url, requestOptions, onResponse) : httpRequest(url, requestOptions, onResponse);
    } catch (err) {
      // e.g. an unparsable client certificate or key: a configuration error, thrown synchronously.
      clearTimeout(timer);
      settled = true;
      reject(
        new WechatTransportError(
          `POST ${url.pathname}: could not start the request (${(err as NodeJS.ErrnoException).code ?? 'invalid TLS options'})`,
        ),
      );
      return;
    }
    req.on('error', (err) => finish(networkError(url, err)));
    req.end(payload);
  });
}

function networkError(url: URL, err: Error): WechatTransportError {
  const code = (err as NodeJS.ErrnoException).code ?? err.message;
  return new WechatTransportError(`POST ${url.pathname} failed: ${code}`, undefined, { cause: err });
}
