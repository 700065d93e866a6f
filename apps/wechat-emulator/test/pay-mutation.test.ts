/**
 * Seeded mutation test of the Pay v2 endpoints over real HTTP (and mTLS for refund): every damaged
 * or forged variant of a correctly signed request gets a WeChat-format reply, never a 5xx or a
 * dropped connection, and changes nothing unless it is still a genuine request.
 * Replay a failure with EMULATOR_MUTATION_SEED=<seed printed in the message>.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseXml, verify, WechatXmlError, type SignType } from '@wxpay-shop/wechat';
import type { Emulator } from '../src/index';
import { M, merchantTls, OPENID, payApi, signed, startEmulator, startReceiver } from './helpers/emulator';
import {
  CONTENT_TYPES,
  MUTATIONS,
  Rng,
  signEntries,
  type BaseRequest,
  type Entries,
  type Expectation,
  type Mutant,
} from './helpers/mutants';

/** An expectation once the oracle has decided. */
type Verdict = Exclude<Expectation, { kind: 'oracle' }>;
import { rawPost, type RawReply } from './helpers/raw-transport';

const SEED = Number(process.env.EMULATOR_MUTATION_SEED ?? 20261127);
/** Every mutation kind meets every endpoint this many times: 19 kinds × 4 endpoints × 4 = 304 requests. */
const ROUNDS = 4;
const PAID_TOTAL_FEE = 300;

type EndpointName = 'unifiedorder' | 'orderquery' | 'closeorder' | 'refund';

let emu: Emulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let paidOrder: string;
let openOrder: string;

async function createOrder(outTradeNo: string, notifyUrl: string): Promise<string> {
  const res = await payApi(emu, '/pay/unifiedorder', {
    body: '变异测试',
    out_trade_no: outTradeNo,
    total_fee: PAID_TOTAL_FEE,
    spbill_create_ip: '127.0.0.1',
    notify_url: notifyUrl,
    trade_type: 'JSAPI',
    openid: OPENID,
  });
  if (res.fields.result_code !== 'SUCCESS') throw new Error(`setup order failed: ${res.text}`);
  return res.fields.prepay_id!;
}

beforeAll(async () => {
  // Refunds stay PROCESSING for the whole run, so the state only changes through requests.
  emu = await startEmulator({ refundDelayMs: 3_600_000 });
  receiver = await startReceiver();
  paidOrder = `MUTPAID${SEED}`;
  await emu.pay(await createOrder(paidOrder, receiver.url));
  // Its payment notification is acknowledged once; afterwards no timer touches the state.
  await receiver.waitFor(1);
  await expectEventually(() => [...emu.state.deliveries.values()].every((d) => d.status !== 'pending'));
  openOrder = `MUTOPEN${SEED}`;
  await createOrder(openOrder, receiver.url);
});

afterAll(async () => {
  await emu?.stop();
  await receiver?.close();
});

async function expectEventually(check: () => boolean): Promise<void> {
  // Bounded by a generous deadline (a hang), not by how fast a busy machine gets there.
  for (const deadline = Date.now() + 30_000; !check() && Date.now() < deadline;)
    await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

/** Everything a Pay v2 request can change (notification attempts included). */
function stateSnapshot(): string {
  const s = emu.state;
  return JSON.stringify({
    orders: [...s.orders.entries()],
    prepays: [...s.prepays.entries()],
    refunds: [...s.refunds.entries()],
    deliveries: [...s.deliveries.entries()],
    tickets: [...s.tickets.entries()],
    sequence: s.sequence,
  });
}

function baseRequest(endpoint: EndpointName, n: number, rng: Rng): BaseRequest {
  const signType: SignType = rng.next() < 0.5 ? 'MD5' : 'HMAC-SHA256';
  const head: Entries = [
    ['appid', M.appId],
    ['mch_id', M.mchId],
    ['nonce_str', rng.alnum(32)],
    ...(signType === 'HMAC-SHA256' ? ([['sign_type', 'HMAC-SHA256']] as Entries) : []),
  ];
  const business: Record<EndpointName, Entries> = {
    unifiedorder: [
      ['body', '变异测试-商品'],
      ['out_trade_no', `MUT${SEED}N${n}`],
      ['total_fee', String(1 + rng.below(9999))],
      ['spbill_create_ip', '127.0.0.1'],
      ['notify_url', receiver.url],
      ['trade_type', 'JSAPI'],
      ['openid', OPENID],
    ],
    orderquery: [['out_trade_no', paidOrder]],
    closeorder: [['out_trade_no', openOrder]],
    refund: [
      ['out_trade_no', paidOrder],
      ['out_refund_no', `MUTR${SEED}N${n}`],
      ['total_fee', String(PAID_TOTAL_FEE)],
      ['refund_fee', '1'],
    ],
  };
  return { entries: signEntries([...head, ...business[endpoint]], M.apiKey, signType), key: M.apiKey, signType };
}

const PATHS: Record<EndpointName, string> = {
  unifiedorder: '/pay/unifiedorder',
  orderquery: '/pay/orderquery',
  closeorder: '/pay/closeorder',
  refund: '/secapi/pay/refund',
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * For mutants whose effect depends on where they landed: genuine iff the bytes are UTF-8, parse as
 * WeChat's flat XML and carry a valid sign of the merchant over every field.
 */
async function judge(body: Buffer): Promise<Verdict> {
  try {
    const fields = await parseXml(utf8.decode(body));
    if (fields.mch_id !== M.mchId || fields.appid !== M.appId) return { kind: 'reject' };
    const signType = fields.sign_type === undefined ? 'MD5' : fields.sign_type;
    if (signType !== 'MD5' && signType !== 'HMAC-SHA256') return { kind: 'reject' };
    return verify(fields, M.apiKey, signType) ? { kind: 'accept', signType } : { kind: 'reject' };
  } catch (err) {
    if (err instanceof TypeError || err instanceof WechatXmlError) return { kind: 'reject' };
    throw err;
  }
}

async function checkReply(where: string, reply: RawReply, expectation: Verdict): Promise<Record<string, string>> {
  expect(reply.status, `${where}: HTTP status (body ${reply.text.slice(0, 200)})`).toBe(200);
  expect(reply.contentType, `${where}: Content-Type`).toMatch(/^text\/xml/);
  expect(reply.text.includes(M.apiKey), `${where}: the API key must never be echoed`).toBe(false);
  let fields: Record<string, string>;
  try {
    fields = await parseXml(reply.text);
  } catch (err) {
    throw new Error(`${where}: reply is not WeChat XML (${(err as Error).message}): ${reply.text.slice(0, 200)}`);
  }
  if (fields.return_code === 'FAIL') {
    expect(Object.keys(fields).sort(), `${where}: a return_code FAIL carries only return_code and return_msg`).toEqual([
      'return_code',
      'return_msg',
    ]);
    expect(fields.return_msg, `${where}: return_msg`).toBeTruthy();
  } else {
    expect(fields.return_code, `${where}: return_code`).toBe('SUCCESS');
    expect(['SUCCESS', 'FAIL'], `${where}: result_code`).toContain(fields.result_code);
    if (fields.result_code === 'FAIL')
      expect(fields.err_code && fields.err_code_des, `${where}: err_code and err_code_des`).toBeTruthy();
    const signType = expectation.kind === 'accept' ? expectation.signType : 'MD5';
    expect(
      verify(fields, M.apiKey, signType),
      `${where}: reply sign (${signType}) verifies with the merchant key`,
    ).toBe(true);
  }
  if (expectation.kind === 'reject') {
    expect(fields.return_code, `${where}: a damaged or forged request is refused`).toBe('FAIL');
    if (expectation.returnMsg) expect(fields.return_msg, `${where}: return_msg`).toBe(expectation.returnMsg);
  } else {
    expect(fields.return_code, `${where}: a genuine request is processed`).toBe('SUCCESS');
  }
  return fields;
}

/** What a genuine request must have done (the state may change only then). */
function checkGenuineEffect(
  where: string,
  endpoint: EndpointName,
  base: BaseRequest,
  reply: Record<string, string>,
  before: string,
): void {
  const field = (name: string) => base.entries.find(([k]) => k === name)?.[1];
  switch (endpoint) {
    case 'unifiedorder':
      expect(reply.result_code, `${where}: ${reply.err_code_des ?? ''}`).toBe('SUCCESS');
      expect(emu.state.findOrder(M.mchId, field('out_trade_no')!)?.prepayId, `${where}: order created`).toBe(
        reply.prepay_id,
      );
      break;
    case 'orderquery':
      expect(reply.out_trade_no, where).toBe(paidOrder);
      expect(stateSnapshot(), `${where}: a query changes nothing`).toBe(before);
      break;
    case 'closeorder':
      expect(reply.result_code, `${where}: ${reply.err_code_des ?? ''}`).toBe('SUCCESS');
      expect(emu.state.findOrder(M.mchId, openOrder)?.state, `${where}: order closed`).toBe('CLOSED');
      break;
    case 'refund':
      expect(reply.result_code, `${where}: ${reply.err_code_des ?? ''}`).toBe('SUCCESS');
      expect(emu.state.refunds.has(`${M.mchId}:${field('out_refund_no')}`), `${where}: refund recorded`).toBe(true);
      break;
  }
}

describe(`Pay v2 endpoints under seeded mutation (seed ${SEED})`, () => {
  it(
    'answer every mutant in WeChat format, never 5xx or a dropped connection, and change nothing unless it is genuine',
    { timeout: 300_000 },
    async () => {
      const rng = new Rng(SEED);
      const tls = merchantTls(emu);
      const tally = { requests: 0, genuine: 0, refused: 0 };
      const kinds = Object.keys(MUTATIONS);
      let n = 0;
      for (let round = 0; round < ROUNDS; round++) {
        for (const kind of kinds) {
          for (const endpoint of ['unifiedorder', 'orderquery', 'closeorder', 'refund'] as const) {
            n += 1;
            const base = baseRequest(endpoint, n, rng);
            const mutant: Mutant = MUTATIONS[kind]!(base, rng);
            const contentType = rng.pick(CONTENT_TYPES);
            const chunked = rng.next() < 0.25;
            const where = `seed=${SEED} #${n} ${endpoint} [${kind}] ${mutant.name} (Content-Type ${contentType ?? 'none'}${chunked ? ', chunked' : ''})`;
            const expectation: Verdict = mutant.expect.kind === 'oracle' ? await judge(mutant.body) : mutant.expect;

            const before = stateSnapshot();
            const url = `${endpoint === 'refund' ? emu.httpsUrl : emu.httpUrl}${PATHS[endpoint]}`;
            let reply: RawReply;
            try {
              reply = await rawPost(url, {
                body: mutant.body,
                contentType,
                chunked,
                ...(endpoint === 'refund' ? { tls } : {}),
              });
            } catch (err) {
              throw new Error(`${where}: connection dropped (${(err as Error).message})`);
            }
            tally.requests += 1;
            const fields = await checkReply(where, reply, expectation);
            if (expectation.kind === 'accept') {
              tally.genuine += 1;
              checkGenuineEffect(where, endpoint, base, fields, before);
              // A closed order would hide a wrongly accepted closeorder: the next ones target a fresh open order.
              if (endpoint === 'closeorder') {
                openOrder = `MUTOPEN${SEED}N${n}`;
                await createOrder(openOrder, receiver.url);
              }
            } else {
              tally.refused += 1;
              expect(stateSnapshot(), `${where}: state changed by a refused request`).toBe(before);
            }
          }
        }
      }
      expect(tally.requests).toBe(ROUNDS * kinds.length * 4);
      // Both sides of the oracle were exercised, so neither check is vacuous.
      expect(tally.genuine, `seed=${SEED}`).toBeGreaterThan(20);
      expect(tally.refused, `seed=${SEED}`).toBeGreaterThan(200);
    },
  );
});

// Keeps the shared helper's signer and this file's serializer honest with each other.
it('the mutation harness builds the same genuine request as the shared test signer', async () => {
  const viaHelper = await parseXml(signed({ nonce_str: 'n1', out_trade_no: 'X1' }));
  const entries = signEntries(Object.entries(viaHelper), M.apiKey, 'MD5');
  expect(Object.fromEntries(entries)).toEqual(viaHelper);
});
