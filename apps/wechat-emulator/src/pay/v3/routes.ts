/**
 * HTTP wiring of API v3: raw body, the merchant's signature, faults (the v2 targets: unifiedorder for
 * the three prepay endpoints, orderquery, closeorder, refund, refundquery), and signed JSON answers.
 */
import type { Context } from 'koa';
import { Router } from '@koa/router';
import { encryptCertificateEntry, randomString } from '@wxpay-shop/wechat';
import type { MerchantConfig } from '../../config';
import type { Deps } from '../../deps';
import {
  applyEarlyFault,
  bizErrorDes,
  destroyResponse,
  isBusinessFault,
  isTransportFault,
  type Fault,
  type FaultTarget,
} from '../../faults';
import { readRawBodyOrNull } from '../../http/body';
import { answer, checkRequestSignature, sendAnswer, v3Error, type V3Answer } from './answer';
import { ParamProblem, type Json } from './fields';
import type { SignatureSpoiler, V3Keys } from './keys';
import { createRefund, queryRefund } from './refunds';
import { TradeBillFiles } from './trade-bill';
import { checkQueryMchId, closeTransaction, createTransaction, queryTransaction } from './transactions';

type Handler = (ctx: Context, merchant: MerchantConfig, body: Json) => V3Answer;

/** v3 status for a `bizerror` fault's err_code (either spelling); other codes are 403 refusals. */
const BIZ_STATUS: Record<string, number> = {
  NOTENOUGH: 403,
  FREQUENCYLIMITED: 429,
  INVALIDREQTOOMUCH: 429,
  ORDERNOTEXIST: 404,
  NOSTATEMENTEXIST: 400,
  STATEMENTCREATING: 400,
  RESOURCENOTEXISTS: 404,
  SYSTEMERROR: 500,
  BIZERRNEEDRETRY: 500,
  PARAMERROR: 400,
  INVALIDREQUEST: 400,
};

function bizAnswer(fault: Fault): V3Answer {
  const code = fault.errCode!;
  return v3Error(BIZ_STATUS[code.replace(/_/g, '')] ?? 403, code, bizErrorDes(fault));
}

const MAX_BODY_BYTES = 64 * 1024;

/** parseBody's refusal, told apart from a parsed body by its class. */
const isAnswer = (value: Json | V3Answer): value is V3Answer => value instanceof BodyRefusal;

class BodyRefusal implements V3Answer {
  constructor(
    readonly status: number,
    readonly json: Record<string, unknown>,
  ) {}
}

function parseBody(raw: string): Json | V3Answer {
  if (raw === '') return {};
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Json;
  } catch {
    /* answered below */
  }
  const refusal = v3Error(400, 'PARAM_ERROR', '请求体不是合法的JSON对象');
  return new BodyRefusal(refusal.status, refusal.json!);
}

export function v3Router(deps: Deps, keys: V3Keys): Router {
  const router = new Router();

  function route(method: 'get' | 'post', path: string, target: FaultTarget, handler: Handler): void {
    router[method](path, async (ctx) => {
      const fault = deps.state.takeFault(target, isTransportFault);
      if (await applyEarlyFault(ctx, fault, deps.timers, 'json')) return;
      const { reply, merchant, spoiler } = await respond(ctx, target, handler, fault);
      if (fault?.kind === 'drop') return destroyResponse(ctx);
      sendAnswer(ctx, reply, keys, merchant, spoiler);
    });
  }

  async function respond(ctx: Context, target: FaultTarget, handler: Handler, fault: Fault | undefined) {
    const raw = await readRawBodyOrNull(ctx, MAX_BODY_BYTES);
    if (raw === null) return { reply: v3Error(413, 'PARAM_ERROR', '请求体过大') };
    const text = raw.toString('utf8');
    const signature = checkRequestSignature(
      { method: ctx.method, url: ctx.originalUrl, body: text, authorization: ctx.get('authorization') || undefined },
      deps,
      keys,
    );
    if (!signature.ok) return { reply: signature.answer, merchant: signature.merchant };
    const { merchant } = signature;
    const body = parseBody(text);
    if (isAnswer(body)) return { reply: body, merchant };
    let reply: V3Answer;
    try {
      // v3 business faults strike any correctly signed request (v2 waits for one with valid parameters too).
      const business = fault ? undefined : deps.state.takeFault(target, isBusinessFault);
      if (business?.kind === 'systemerror') reply = v3Error(500, 'SYSTEM_ERROR', '系统错误，请使用相同参数重试');
      else if (business?.kind === 'bizerror') reply = bizAnswer(business);
      else reply = handler(ctx, merchant, body as Json);
    } catch (err) {
      if (!(err instanceof ParamProblem)) throw err;
      reply = err.answer;
    }
    const spoil = fault ? undefined : deps.state.takeFault(target, (kind) => kind === 'badsign' || kind === 'probe');
    return { reply, merchant, spoiler: spoil?.kind as SignatureSpoiler };
  }

  for (const kind of ['jsapi', 'native', 'h5'] as const) {
    route('post', `/v3/pay/transactions/${kind}`, 'unifiedorder', (_ctx, m, body) =>
      createTransaction(kind, body, m, deps),
    );
  }
  route('get', '/v3/pay/transactions/out-trade-no/:no', 'orderquery', (ctx, m) => {
    return checkQueryMchId(str(ctx.query.mchid), m) ?? queryTransaction('out-trade-no', ctx.params.no!, m, deps);
  });
  route('get', '/v3/pay/transactions/id/:id', 'orderquery', (ctx, m) => {
    return checkQueryMchId(str(ctx.query.mchid), m) ?? queryTransaction('id', ctx.params.id!, m, deps);
  });
  route('post', '/v3/pay/transactions/out-trade-no/:no/close', 'closeorder', (ctx, m, body) =>
    closeTransaction(ctx.params.no!, body, m, deps),
  );
  route('post', '/v3/refund/domestic/refunds', 'refund', (_ctx, m, body) => createRefund(body, m, deps));
  route('get', '/v3/refund/domestic/refunds/:no', 'refundquery', (ctx, m) => queryRefund(ctx.params.no!, m, deps));

  /** The request signature of a GET outside route(): what WeChat checks before anything else. */
  const checkSignedGet = async (ctx: Context) => {
    const raw = (await readRawBodyOrNull(ctx, MAX_BODY_BYTES)) ?? Buffer.alloc(0);
    const auth = {
      method: 'GET',
      url: ctx.originalUrl,
      body: raw.toString('utf8'),
      authorization: ctx.get('authorization') || undefined,
    };
    return checkRequestSignature(auth, deps, keys);
  };

  const bills = new TradeBillFiles();
  route('get', '/v3/bill/tradebill', 'tradebill', (ctx, m) =>
    bills.apply(
      deps,
      m,
      { billDate: str(ctx.query.bill_date), billType: str(ctx.query.bill_type), tarType: str(ctx.query.tar_type) },
      `${ctx.protocol}://${ctx.host}`,
    ),
  );
  // The file itself is not signed (the digest of the signed apply answer vouches for it); errors are.
  router.get('/v3/billdownload/file', async (ctx) => {
    const signature = await checkSignedGet(ctx);
    if (!signature.ok) return sendAnswer(ctx, signature.answer, keys, signature.merchant);
    const file = bills.download(signature.merchant, str(ctx.query.token));
    if (!Buffer.isBuffer(file)) return sendAnswer(ctx, file, keys, signature.merchant);
    ctx.status = 200;
    ctx.type = 'application/octet-stream';
    ctx.body = file;
  });

  // The certificates are encrypted with the merchant's APIv3 key: decrypting them proves they are WeChat's.
  router.get('/v3/certificates', async (ctx) => {
    const signature = await checkSignedGet(ctx);
    if (!signature.ok) return sendAnswer(ctx, signature.answer, keys, signature.merchant);
    const entry = encryptCertificateEntry(keys.material.platformCert, signature.merchant.apiV3Key!, randomString(12));
    // Signed by the platform certificate itself, whatever the merchant's mode: that is what it serves.
    sendAnswer(ctx, answer(200, { data: [entry] }), keys, signature.merchant, undefined, 'platform-certificate');
  });

  return router;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
