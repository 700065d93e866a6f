/** Pay v2's one HTTP(S) POST of an XML body (`/secapi/*` with the merchant's client certificate). */
import type { Agent } from 'node:http';
import { WechatXmlError } from '../../errors';
import { exchange } from '../http-exchange';

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
export async function postXml(url: URL, body: string, options: PostXmlOptions): Promise<PostXmlResult> {
  const { status, body: answer } = await exchange(
    url,
    { method: 'POST', headers: { 'Content-Type': 'text/xml; charset=utf-8' }, body },
    {
      ...options,
      // A client certificate's pool is its own (AgentPool keys it apart), so it never leaks onto a shared socket.
      agent: options.agent ?? false,
      tooLarge: (message) => new WechatXmlError(message, 'TOO_LARGE', 'upstream'),
    },
  );
  return { status, body: answer };
}
