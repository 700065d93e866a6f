/** HTTP wiring of the v2 pay APIs: method/body checks, mTLS for /secapi, faults, signed replies. */
import type { TLSSocket } from 'node:tls';
import type { Context } from 'koa';
import { Router } from '@koa/router';
import type { Deps } from '../deps';
import { applyEarlyFault, bizErrorDes, destroyResponse, isBusinessFault, isTransportFault } from '../faults';
import { readRawBodyOrNull } from '../http/body';
import type { Fault, FaultTarget } from '../faults';
import { bizFail, corruptSign, fail, openEnvelope, renderReply, type PayReply, type PayRequest } from './envelope';
import { gzipSync } from 'node:zlib';
import { downloadBill } from './downloadbill';
import { checkCloseOrder, checkOrderQuery, closeOrder, orderQuery } from './orderquery';
import { checkRefund, checkRefundQuery, refund, refundQuery } from './refund';
import { checkUnifiedOrder, unifiedOrder } from './unifiedorder';

type Handler = (req: PayRequest, deps: Deps) => PayReply;

interface Endpoint {
  path: string;
  target: FaultTarget;
  /** The request's own validity (no state looked at): a reply when invalid, else null. */
  check: (req: PayRequest, deps: Deps) => PayReply | null;
  /** Processes a request that passed `check`. */
  handler: Handler;
  /** /secapi/*: needs the merchant's client certificate over mutual TLS. */
  secure?: boolean;
}

const ENDPOINTS: Endpoint[] = [
  { path: '/pay/unifiedorder', target: 'unifiedorder', check: checkUnifiedOrder, handler: unifiedOrder },
  { path: '/pay/orderquery', target: 'orderquery', check: checkOrderQuery, handler: orderQuery },
  { path: '/pay/closeorder', target: 'closeorder', check: checkCloseOrder, handler: closeOrder },
  { path: '/secapi/pay/refund', target: 'refund', check: checkRefund, handler: refund, secure: true },
  { path: '/pay/refundquery', target: 'refundquery', check: checkRefundQuery, handler: refundQuery },
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

/**
 * The XML answer to one request. `fault` is the transport fault it already took, if any; business
 * faults and badsign are taken here, only by a request they fit (README "Fault rules").
 */
async function answer(ctx: Context, endpoint: Endpoint, deps: Deps, fault: Fault | undefined): Promise<string> {
  if (ctx.method !== 'POST') return renderReply(fail('REQUIRE_POST_METHOD'), undefined);
  if (endpoint.secure) {
    const problem = clientCertProblem(ctx);
    if (problem) return renderReply(fail(problem), undefined);
  }
  const body = await readRawBodyOrNull(ctx);
  // Over the raw limit is as malformed as over the XML limit: WeChat's XML, not a bare 413.
  if (body === null) return renderReply(fail('XML_FORMAT_ERROR'), undefined);
  const envelope = await openEnvelope(body, deps.merchants);
  if (!envelope.ok) return renderReply(envelope.reply, envelope.request);
  const { request } = envelope;
  if (endpoint.secure && certMchId(ctx) !== request.merchant.mchId)
    return renderReply(fail('商户API证书与mch_id不匹配'), undefined);
  const invalid = endpoint.check(request, deps);
  if (invalid) return renderReply(invalid, request);

  const business = fault ? undefined : deps.state.takeFault(endpoint.target, isBusinessFault);
  let reply: PayReply;
  // Both answer a signed business failure without processing: retrying is safe.
  if (business?.kind === 'systemerror') reply = bizFail('SYSTEMERROR', '系统错误，请使用相同参数重试');
  else if (business?.kind === 'bizerror') reply = bizFail(business.errCode!, bizErrorDes(business));
  else reply = endpoint.handler(request, deps);
  const xml = renderReply(reply, request);
  // badsign, too, waits for an accepted request; a return_code=FAIL reply would have no sign to spoil.
  const spoil =
    fault || business || reply.kind === 'fail'
      ? undefined
      : deps.state.takeFault(endpoint.target, (kind) => kind === 'badsign');
  return spoil ? corruptSign(xml) : xml;
}

/** downloadbill's answer: the bill (gzip when asked), or XML when refused. Not signed either way, like WeChat's. */
async function answerBill(ctx: Context, deps: Deps): Promise<void> {
  const body = ctx.method === 'POST' ? await readRawBodyOrNull(ctx) : null;
  const refusal =
    ctx.method !== 'POST' ? fail('REQUIRE_POST_METHOD') : body === null ? fail('XML_FORMAT_ERROR') : undefined;
  const envelope = body ? await openEnvelope(body, deps.merchants) : undefined;
  if (refusal || !envelope?.ok) {
    return sendXml(ctx, renderReply(refusal ?? (envelope as { reply: PayReply }).reply, envelope?.request));
  }
  const reply = downloadBill(envelope.request, deps);
  if (reply.kind === 'fail') return sendXml(ctx, reply.xml);
  ctx.status = 200;
  if (reply.gzip) {
    ctx.type = 'application/x-gzip';
    ctx.body = gzipSync(Buffer.from(reply.text, 'utf8'));
  } else {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = reply.text;
  }
}

export function payRouter(deps: Deps): Router {
  const router = new Router();
  router.all('/pay/downloadbill', async (ctx) => {
    const fault = deps.state.takeFault('downloadbill', isTransportFault);
    if (await applyEarlyFault(ctx, fault, deps.timers, 'xml')) return;
    await answerBill(ctx, deps);
    if (fault?.kind === 'drop') destroyResponse(ctx);
  });
  for (const endpoint of ENDPOINTS) {
    router.all(endpoint.path, async (ctx) => {
      const fault = deps.state.takeFault(endpoint.target, isTransportFault);
      if (await applyEarlyFault(ctx, fault, deps.timers, 'xml')) return;
      const xml = await answer(ctx, endpoint, deps, fault);
      // drop: whatever the request was, it has been handled; only the reply is lost.
      if (fault?.kind === 'drop') return destroyResponse(ctx);
      sendXml(ctx, xml);
    });
  }
  return router;
}
