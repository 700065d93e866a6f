/** HTTP wiring of the v2 pay APIs: method/body checks, mTLS for /secapi, faults, signed replies. */
import type { TLSSocket } from 'node:tls';
import type { Context } from 'koa';
import { Router } from '@koa/router';
import type { Deps } from '../deps';
import { applyEarlyFault, bizErrorDes, destroyResponse } from '../faults';
import { readRawBodyOrNull } from '../http/body';
import type { FaultTarget } from '../state';
import { bizFail, corruptSign, fail, openEnvelope, renderReply, type PayReply, type PayRequest } from './envelope';
import { closeOrder, orderQuery } from './orderquery';
import { refund, refundQuery } from './refund';
import { unifiedOrder } from './unifiedorder';

type Handler = (req: PayRequest, deps: Deps) => PayReply;

interface Endpoint {
  path: string;
  target: FaultTarget;
  handler: Handler;
  /** /secapi/*: needs the merchant's client certificate over mutual TLS. */
  secure?: boolean;
}

const ENDPOINTS: Endpoint[] = [
  { path: '/pay/unifiedorder', target: 'unifiedorder', handler: unifiedOrder },
  { path: '/pay/orderquery', target: 'orderquery', handler: orderQuery },
  { path: '/pay/closeorder', target: 'closeorder', handler: closeOrder },
  { path: '/secapi/pay/refund', target: 'refund', handler: refund, secure: true },
  { path: '/pay/refundquery', target: 'refundquery', handler: refundQuery },
];

function sendXml(ctx: Context, xml: string): void {
  ctx.status = 200;
  ctx.type = 'text/xml; charset=utf-8';
  ctx.body = xml;
}

/** Why this connection may not call /secapi, or null. */
function clientCertProblem(ctx: Context): string | null {
  const socket = ctx.req.socket as Partial<TLSSocket>;
  if (!socket.encrypted) return '此接口需要双向TLS：请通过HTTPS并携带商户API证书(apiclient_cert)访问';
  const peer = socket.getPeerCertificate?.();
  if (!peer || Object.keys(peer).length === 0) return '请求未携带商户API证书(apiclient_cert)，请检查证书配置';
  if (!socket.authorized) return `商户API证书校验失败(${String(socket.authorizationError ?? 'unknown')})`;
  return null;
}

/** The certificate's CN is the mch_id it was issued to (as with real apiclient_cert). */
function certMchId(ctx: Context): string | undefined {
  const cn = (ctx.req.socket as TLSSocket).getPeerCertificate?.()?.subject?.CN;
  return Array.isArray(cn) ? cn[0] : cn;
}

export function payRouter(deps: Deps): Router {
  const router = new Router();
  for (const endpoint of ENDPOINTS) {
    router.all(endpoint.path, async (ctx) => {
      const fault = deps.state.takeFault(endpoint.target);
      if (await applyEarlyFault(ctx, fault, deps.timers, 'xml')) return;
      if (ctx.method !== 'POST') return sendXml(ctx, renderReply(fail('REQUIRE_POST_METHOD'), undefined));
      if (endpoint.secure) {
        const problem = clientCertProblem(ctx);
        if (problem) return sendXml(ctx, renderReply(fail(problem), undefined));
      }
      const body = await readRawBodyOrNull(ctx);
      // Over the raw limit is as malformed as over the XML limit: WeChat's XML, not a bare 413.
      if (body === null) return sendXml(ctx, renderReply(fail('XML_FORMAT_ERROR'), undefined));
      const envelope = await openEnvelope(body, deps.merchants);
      if (!envelope.ok) return sendXml(ctx, renderReply(envelope.reply, envelope.request));
      const { request } = envelope;
      if (endpoint.secure && certMchId(ctx) !== request.merchant.mchId) {
        return sendXml(ctx, renderReply(fail('商户API证书与mch_id不匹配'), undefined));
      }
      let reply: PayReply;
      // Both answer a signed business failure without processing: retrying is safe.
      if (fault?.kind === 'systemerror') reply = bizFail('SYSTEMERROR', '系统错误，请使用相同参数重试');
      else if (fault?.kind === 'bizerror') reply = bizFail(fault.errCode!, bizErrorDes(fault));
      else reply = endpoint.handler(request, deps);
      let xml = renderReply(reply, request);
      if (fault?.kind === 'badsign') xml = corruptSign(xml);
      if (fault?.kind === 'drop') return destroyResponse(ctx);
      sendXml(ctx, xml);
    });
  }
  return router;
}
