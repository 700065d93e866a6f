/**
 * Seeded mutation test of POST /api/wechat/pay/notify over real HTTP: a few hundred
 * corruptions of a genuine, correctly signed notification must each get a well-formed FAIL
 * reply and change nothing; the untouched notification then pays the order exactly once.
 * Deterministic: every choice comes from SEED (printed in each failure message); set
 * NOTIFY_MUTATION_SEED to explore other corpora.
 */
import { describe, expect, it } from 'vitest';
import { MAX_XML_BYTES, parseXml, sign, type SignType } from '@wxpay-shop/wechat';
import { Prng as Rng } from '@wxpay-shop/wechat/testing';
import { backends } from './helpers/backends';
import { ADMIN_TOKEN, MERCHANT, createOrder, orderRow, payNotifyXml, useStack, type Stack } from './helpers/stack';

const SEED = Number(process.env.NOTIFY_MUTATION_SEED ?? 0x2026_1126);
const CASES = 300;
const NOTIFY_PATH = '/api/wechat/pay/notify';
const SECRETS = [MERCHANT.apiKey, MERCHANT.appSecret, ADMIN_TOKEN, 'test-session-key-0', 'test-session-key-1'];

type Entries = Array<[string, string]>;

interface Genuine {
  signType: SignType;
  entries: Entries;
  xml: Buffer;
}

interface Mutant {
  label: string;
  body: Buffer;
  /** null sends no Content-Type at all. */
  contentType?: string | null;
  /** Send without Content-Length (chunked). */
  chunked?: boolean;
  /** Over the notification size cap: 413 instead of 200. */
  oversized?: boolean;
}

interface MutationContext {
  rng: Rng;
  base: Genuine;
  /** Another PENDING order's out_trade_no, for retargeting. */
  otherOrder: string;
}

/** WeChat's wire form, every value in CDATA, empty values kept (buildXml would drop them). */
function serialize(entries: Entries): string {
  return `<xml>${entries.map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join('')}</xml>`;
}

const toBuffer = (text: string) => Buffer.from(text, 'utf8');

function withField(entries: Entries, name: string, value: string | undefined): Entries {
  const out = entries.filter(([k]) => k !== name);
  if (value === undefined) return out;
  const at = entries.findIndex(([k]) => k === name);
  out.splice(at < 0 ? out.length : at, 0, [name, value]);
  return out;
}

function insertAt(entries: Entries, index: number, entry: [string, string]): Entries {
  const out = [...entries];
  out.splice(index, 0, entry);
  return out;
}

function resign(entries: Entries, key: string, signType: SignType): Entries {
  const params = Object.fromEntries(entries.filter(([k]) => k !== 'sign'));
  return withField(entries, 'sign', sign(params, key, signType));
}

function fieldOf(entries: Entries, name: string): string {
  return entries.find(([k]) => k === name)![1];
}

/** A change to one signed field that WeChat did not make. */
function tamperedField(ctx: MutationContext): { name: string; value: string } {
  const { rng, base, otherOrder } = ctx;
  const fee = Number(fieldOf(base.entries, 'total_fee'));
  const candidates: Record<string, string[]> = {
    total_fee: [
      String(fee + 1),
      String(fee - 1 || 2),
      '1',
      '0',
      `-${fee}`,
      `${fee}.00`,
      `0${fee}`,
      ` ${fee}`,
      String(fee * 100),
    ],
    appid: ['wx0000000000000000', MERCHANT.appId.toUpperCase(), `${MERCHANT.appId} `, ''],
    mch_id: ['10000101', '', ` ${MERCHANT.mchId}`, `${MERCHANT.mchId}0`],
    out_trade_no: [otherOrder, `${fieldOf(base.entries, 'out_trade_no')}0`, 'NO_SUCH_ORDER', ''],
    result_code: ['FAIL', 'success', 'SUCCESS ', ''],
    cash_fee: [String(fee + 1), '0'],
    transaction_id: [`4200${rng.hex(24).replace(/[a-f]/g, '7')}`, ''],
  };
  const name = rng.pick(Object.keys(candidates));
  return { name, value: rng.pick(candidates[name]!) };
}

const WRONG_CONTENT_TYPES = [
  'application/json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'text/xml; charset=GBK',
  null,
];

const INVALID_UTF8: number[][] = [
  [0xff],
  [0xfe],
  [0xc3],
  [0xc0, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
  [0x80],
];

const DOCTYPE_WRAPPERS: Array<(xml: string) => string> = [
  (xml) => `<!DOCTYPE xml>${xml}`,
  (xml) => `<!doctype xml>\n${xml}`,
  (xml) => `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xml [<!ENTITY e "x">]>\n${xml}`,
  (xml) =>
    `<!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>${xml.replace(/<attach>|<\/xml>$/, '<attach>&xxe;</attach></xml>')}`,
  (xml) =>
    `<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>${xml.replace(
      '</xml>',
      '<attach>&c;&c;&c;</attach></xml>',
    )}`,
  (xml) => xml.replace('<xml>', '<xml><!ENTITY x "y">'),
  (xml) => `<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/evil.dtd">${xml}`,
];

type Mutator = (ctx: MutationContext) => Mutant;

const MUTATORS: Record<string, Mutator> = {
  truncate: ({ rng, base }) => {
    const length = rng.below(base.xml.length);
    return { label: `truncated to ${length} of ${base.xml.length} bytes`, body: base.xml.subarray(0, length) };
  },
  flipBytes: ({ rng, base }) => {
    const body = Buffer.from(base.xml);
    const flips: string[] = [];
    for (let n = 1 + rng.below(3); n > 0; n--) {
      const at = rng.below(body.length);
      const mask = 1 + rng.below(255);
      body[at] = body[at]! ^ mask;
      flips.push(`${at}^0x${mask.toString(16)}`);
    }
    return { label: `bytes flipped ${flips.join(',')}`, body };
  },
  invalidUtf8: ({ rng, base }) => {
    const bytes = rng.pick(INVALID_UTF8);
    const at = rng.below(base.xml.length + 1);
    const overwrite = rng.bool(0.5) && at + bytes.length <= base.xml.length;
    const rest = base.xml.subarray(overwrite ? at + bytes.length : at);
    const hex = bytes.map((b) => b.toString(16)).join(' ');
    return {
      label: `invalid UTF-8 [${hex}] ${overwrite ? 'over' : 'inserted at'} byte ${at}`,
      body: Buffer.concat([base.xml.subarray(0, at), Buffer.from(bytes), rest]),
    };
  },
  duplicatedField: ({ rng, base }) => {
    const [name, value] = rng.pick(base.entries);
    const copy = rng.bool(0.5) ? value : `${value}1`;
    const at = rng.below(base.entries.length + 1);
    return {
      label: `<${name}> duplicated (${copy === value ? 'same' : 'other'} value) at ${at}`,
      body: toBuffer(serialize(insertAt(base.entries, at, [name, copy]))),
    };
  },
  extraField: ({ rng, base }) => {
    const name = rng.pick([
      'attach',
      'coupon_fee',
      'device_info',
      'sub_mch_id',
      'err_code',
      'return_msg',
      `x_${rng.hex(6)}`,
    ]);
    const value = rng.pick(['1', 'SUCCESS', '支付测试', rng.hex(8), ' ']);
    const at = rng.below(base.entries.length + 1);
    return {
      label: `extra <${name}>${JSON.stringify(value)} at ${at}`,
      body: toBuffer(serialize(insertAt(base.entries, at, [name, value]))),
    };
  },
  emptySign: ({ rng, base }) => {
    const xml = serialize(withField(base.entries, 'sign', ''));
    const variants: Record<string, string> = {
      'CDATA-empty sign': xml,
      'bare empty sign': xml.replace('<sign><![CDATA[]]></sign>', '<sign></sign>'),
      'self-closed sign': xml.replace('<sign><![CDATA[]]></sign>', '<sign/>'),
      'no sign at all': serialize(withField(base.entries, 'sign', undefined)),
    };
    const label = rng.pick(Object.keys(variants));
    return { label, body: toBuffer(variants[label]!) };
  },
  changedKeepingSign: (ctx) => {
    const { name, value } = tamperedField(ctx);
    return {
      label: `${name}=${JSON.stringify(value)} with the original sign`,
      body: toBuffer(serialize(withField(ctx.base.entries, name, value))),
    };
  },
  resignedWithWrongKey: (ctx) => {
    const { rng, base } = ctx;
    const change = rng.bool(0.25) ? null : tamperedField(ctx);
    const keys: Record<string, string> = {
      'a random key': rng.hex(32),
      'the appsecret': MERCHANT.appSecret,
      'the upper-cased API key': MERCHANT.apiKey.toUpperCase(),
      'the API key minus one char': MERCHANT.apiKey.slice(0, -1),
      'the API key plus one char': `${MERCHANT.apiKey}0`,
      'an empty key': '',
    };
    const keyName = rng.pick(Object.keys(keys));
    const entries = change ? withField(base.entries, change.name, change.value) : base.entries;
    const what = change ? `${change.name}=${JSON.stringify(change.value)}` : 'unchanged fields';
    return {
      label: `${what} re-signed (${base.signType}) with ${keyName}`,
      body: toBuffer(serialize(resign(entries, keys[keyName]!, base.signType))),
    };
  },
  signTypeSwitched: ({ rng, base }) => {
    const value = rng.pick(
      base.signType === 'MD5'
        ? ['HMAC-SHA256', 'MD5', 'md5', 'hmac-sha256', 'SHA256', 'MD5 ']
        : [undefined, '', 'MD5', 'md5', 'HMAC-SHA256 ', 'HMAC-SHA1'],
    );
    const entries = withField(base.entries, 'sign_type', value);
    return {
      label: `${base.signType} sign with sign_type ${JSON.stringify(value ?? null)}`,
      body: toBuffer(serialize(entries)),
    };
  },
  /** Signed with the right key, so only the checks after the signature can refuse it. */
  validlySignedButWrong: ({ rng, base }) => {
    const fee = Number(fieldOf(base.entries, 'total_fee'));
    const changes: Array<[string, string]> = [
      ['appid', 'wx0000000000000000'],
      ['mch_id', '10000101'],
      ['total_fee', String(fee + 1)],
      ['total_fee', '1'],
      ['total_fee', `0${fee}`],
      ['cash_fee', '-1'],
      ['time_end', '2026-11-26 12:00:00'],
      ['out_trade_no', `NO_SUCH_ORDER_${rng.hex(8)}`],
      ['result_code', 'PENDING'],
      ['openid', ''],
    ];
    const [name, value] = rng.pick(changes);
    return {
      label: `${name}=${JSON.stringify(value)} re-signed (${base.signType}) with the right key`,
      body: toBuffer(serialize(resign(withField(base.entries, name, value), MERCHANT.apiKey, base.signType))),
    };
  },
  doctypeWrapper: ({ rng, base }) => {
    const index = rng.below(DOCTYPE_WRAPPERS.length);
    return {
      label: `DOCTYPE/ENTITY wrapper #${index}`,
      body: toBuffer(DOCTYPE_WRAPPERS[index]!(serialize(base.entries))),
    };
  },
  secondDocument: (ctx) => {
    const { rng, base } = ctx;
    const xml = serialize(base.entries);
    const { name, value } = tamperedField(ctx);
    const seconds: Record<string, string> = {
      'the same document': xml,
      [`a copy with ${name}=${JSON.stringify(value)}`]: serialize(withField(base.entries, name, value)),
      'an empty <xml/>': '<xml/>',
      'a FAIL document': '<xml><return_code><![CDATA[FAIL]]></return_code></xml>',
    };
    const which = rng.pick(Object.keys(seconds));
    const gap = rng.pick(['', '\n', '\r\n  ']);
    const before = rng.bool(0.25);
    const body = before ? `${seconds[which]}${gap}${xml}` : `${xml}${gap}${seconds[which]}`;
    return { label: `${which} ${before ? 'prepended' : 'appended'}`, body: toBuffer(body) };
  },
  nestedDocument: ({ rng, base }) => {
    const xml = serialize(base.entries);
    const label = rng.pick(['wrapped in <xml>', 'wrapped in <root>', 'fields moved into <return_msg>']);
    const body =
      label === 'wrapped in <xml>'
        ? `<xml>${xml}</xml>`
        : label === 'wrapped in <root>'
          ? `<root>${xml}</root>`
          : xml.replace('<xml>', '<xml><return_msg>').replace('</xml>', '</return_msg></xml>');
    return { label, body: toBuffer(body) };
  },
  padding: ({ rng, base }) => {
    const xml = serialize(base.entries);
    const oversized = rng.bool(0.6);
    const target = oversized ? MAX_XML_BYTES + 1 + rng.below(4096) : MAX_XML_BYTES - rng.below(1024);
    const mode = rng.pick(
      oversized
        ? ['leading spaces', 'trailing newlines', 'padded extra field', 'padded out_trade_no']
        : ['padded extra field', 'padded out_trade_no'],
    );
    const fill = (n: number, c: string) => c.repeat(Math.max(0, n));
    const extra = target - Buffer.byteLength(xml);
    const body =
      mode === 'leading spaces'
        ? fill(extra, ' ') + xml
        : mode === 'trailing newlines'
          ? xml + fill(extra, '\n')
          : mode === 'padded extra field'
            ? xml.replace('</xml>', `<attach><![CDATA[${fill(extra - 30, 'A')}]]></attach></xml>`)
            : xml.replace(/(<out_trade_no><!\[CDATA\[[^\]]*)/, `$1${fill(extra, '0')}`);
    const chunked = rng.bool(0.5);
    return {
      label: `${mode} to ${Buffer.byteLength(body)} bytes${chunked ? ', chunked' : ''}`,
      body: toBuffer(body),
      chunked,
      oversized: Buffer.byteLength(body) > MAX_XML_BYTES,
    };
  },
};

/**
 * Independent oracle: a body is the genuine message only if it is WeChat's plain CDATA form of
 * exactly the genuine non-empty fields. Mutants that happen to satisfy it are redrawn.
 */
function isGenuine(body: Buffer, base: Genuine): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    return false;
  }
  const whole = /^<xml>((?:<([A-Za-z_]\w*)><!\[CDATA\[[^\]]*\]\]><\/\2>)*)<\/xml>$/.exec(text);
  if (!whole) return false;
  const fields = new Map<string, string>();
  for (const m of whole[1]!.matchAll(/<([A-Za-z_]\w*)><!\[CDATA\[([^\]]*)\]\]><\/\1>/g)) {
    if (fields.has(m[1]!)) return false;
    if (m[2] !== '') fields.set(m[1]!, m[2]!);
  }
  const expected = base.entries.filter(([, v]) => v !== '');
  return fields.size === expected.length && expected.every(([k, v]) => fields.get(k) === v);
}

function mutants(bases: Genuine[], otherOrder: string): Mutant[] {
  const rng = new Rng(SEED);
  const kinds = Object.keys(MUTATORS);
  const out: Mutant[] = [];
  for (let i = 0; i < CASES; i++) {
    const kind = kinds[i % kinds.length]!;
    const base = rng.pick(bases);
    let mutant: Mutant | undefined;
    for (let attempt = 0; attempt < 20 && !mutant; attempt++) {
      const candidate = MUTATORS[kind]!({ rng, base, otherOrder });
      if (!isGenuine(candidate.body, base)) mutant = candidate;
    }
    if (!mutant) throw new Error(`seed ${SEED}: ${kind} kept producing the genuine message`);
    if (mutant.contentType === undefined && rng.bool(0.3)) mutant.contentType = rng.pick(WRONG_CONTENT_TYPES);
    out.push({ ...mutant, label: `${kind} (${base.signType}): ${mutant.label}` });
  }
  return out;
}

async function send(stack: Stack, mutant: Pick<Mutant, 'body' | 'contentType' | 'chunked'>) {
  const headers: Record<string, string> = {};
  const contentType = mutant.contentType === undefined ? 'text/xml' : mutant.contentType;
  if (contentType !== null) headers['Content-Type'] = contentType;
  const body = mutant.chunked
    ? new ReadableStream<Uint8Array>({
        start(controller) {
          for (let at = 0; at < mutant.body.length; at += 8192) controller.enqueue(mutant.body.subarray(at, at + 8192));
          controller.close();
        },
      })
    : mutant.body;
  const res = await fetch(`${stack.bff.url}${NOTIFY_PATH}`, {
    method: 'POST',
    headers,
    body,
    duplex: 'half',
  } as RequestInit);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

type Reply = Awaited<ReturnType<typeof send>>;

/** A WeChat notify reply document: exactly return_code + return_msg, no secret anywhere. */
async function expectReply(res: Reply, returnCode: 'SUCCESS' | 'FAIL', status: number, where: string) {
  expect(res.status, where).toBe(status);
  expect(res.type, where).toMatch(/^text\/xml/);
  for (const secret of SECRETS) expect(res.body.includes(secret), `${where}: reply leaks a secret`).toBe(false);
  const reply = await parseXml(res.body).catch((err: Error) => {
    throw new Error(`${where}: reply is not WeChat XML (${err.message}): ${res.body.slice(0, 200)}`);
  });
  expect(Object.keys(reply).sort(), where).toEqual(['return_code', 'return_msg']);
  expect(reply.return_code, where).toBe(returnCode);
  expect(reply.return_msg!.trim(), where).not.toBe('');
}

/** Everything a notification could change, table-wide. */
async function snapshot(stack: Stack) {
  const db = stack.database.db;
  return {
    orders: await db
      .selectFrom('orders')
      .select([
        'out_trade_no',
        'status',
        'transaction_id',
        'paid_at',
        'needs_attention',
        'attention_reason',
        'updated_at',
      ])
      .orderBy('id')
      .execute(),
    events: await db
      .selectFrom('order_events')
      .select(['id', 'order_id', 'from_status', 'to_status', 'source'])
      .orderBy('id')
      .execute(),
    notifications: await db
      .selectFrom('payment_notifications')
      .select(['id', 'transaction_id', 'out_trade_no', 'outcome'])
      .orderBy('id')
      .execute(),
  };
}

function genuineNotify(
  order: { outTradeNo: string; totalFen: number },
  signType: SignType,
  rng: Rng,
  transactionId: string,
): Genuine {
  let signed: Record<string, string> = {};
  const xml = payNotifyXml(
    { outTradeNo: order.outTradeNo, totalFee: order.totalFen, transactionId, nonceStr: rng.hex(32).toUpperCase() },
    MERCHANT.apiKey,
    signType,
    (s) => void (signed = { ...s }),
  );
  return { signType, entries: Object.entries(signed), xml: toBuffer(xml) };
}

/** Rewrites of a genuine notification that keep its meaning: WeChat may send any of these. */
const MEANING_PRESERVING: Record<string, (g: Genuine) => Mutant> = {
  'Content-Type application/json': (g) => ({ label: '', body: g.xml, contentType: 'application/json' }),
  'no Content-Type': (g) => ({ label: '', body: g.xml, contentType: null }),
  'Content-Type text/plain': (g) => ({ label: '', body: g.xml, contentType: 'text/plain' }),
  'chunked, no Content-Length': (g) => ({ label: '', body: g.xml, chunked: true }),
  'XML declaration': (g) => ({
    label: '',
    body: toBuffer(`<?xml version="1.0" encoding="UTF-8"?>\n${g.xml.toString()}`),
  }),
  'UTF-8 BOM': (g) => ({ label: '', body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), g.xml]) }),
  'pretty-printed': (g) => ({
    label: '',
    body: toBuffer(`<xml>\n${g.entries.map(([k, v]) => `  <${k}><![CDATA[${v}]]></${k}>\n`).join('')}</xml>\n`),
  }),
  'plain text values (no CDATA)': (g) => ({
    label: '',
    body: toBuffer(`<xml>${g.entries.map(([k, v]) => `<${k}>${v}</${k}>`).join('')}</xml>`),
  }),
  'fields reversed': (g) => ({ label: '', body: toBuffer(serialize([...g.entries].reverse())) }),
  'empty extra elements': (g) => ({
    label: '',
    body: toBuffer(
      serialize(g.entries).replace(
        '</xml>',
        '<attach></attach><device_info/><coupon_fee><![CDATA[]]></coupon_fee></xml>',
      ),
    ),
  }),
  'whitespace padding up to the size cap': (g) => ({
    label: '',
    body: Buffer.concat([g.xml, Buffer.alloc(MAX_XML_BYTES - g.xml.length, '\n')]),
  }),
};

describe.each(backends)('pay notify under seeded mutation over HTTP ($name)', (backend) => {
  const { stack } = useStack(backend, {}, { captureLogs: true });

  it(`${CASES} mutated notifications for a PENDING order: FAIL, no change; then the genuine one pays once (seed ${SEED})`, async () => {
    const rng = new Rng(SEED ^ 0x5a5a5a5a);
    const order = await createOrder(stack.browser(), [{ productId: 'green-tea', quantity: 3 }]);
    const other = await createOrder(stack.browser(), [{ productId: 'green-tea', quantity: 3 }]);
    const transactionId = `4200${String(SEED).padStart(10, '0')}${'0'.repeat(14)}`.slice(0, 28);
    const bases = [
      genuineNotify(order, 'MD5', rng, transactionId),
      genuineNotify(order, 'HMAC-SHA256', rng, transactionId),
    ];
    const before = await snapshot(stack);
    expect((await orderRow(stack, order.outTradeNo)).status).toBe('PENDING');

    const corpus = mutants(bases, other.outTradeNo);
    const kindsSeen = new Set(corpus.map((m) => m.label.split(' ')[0]));
    expect([...kindsSeen].sort()).toEqual(Object.keys(MUTATORS).sort());
    for (const [i, mutant] of corpus.entries()) {
      const where = `seed ${SEED} case #${i} ${mutant.label}`;
      await expectReply(await send(stack, mutant), 'FAIL', mutant.oversized ? 413 : 200, where);
    }

    expect(await snapshot(stack), `seed ${SEED}: state changed by a mutated notification`).toEqual(before);
    const log = stack.logs();
    for (const secret of SECRETS) expect(log.includes(secret), `seed ${SEED}: a log line holds a secret`).toBe(false);

    // The very bytes the corpus was derived from are genuine: PAID exactly once.
    const genuine = bases[0]!;
    await expectReply(await send(stack, { body: genuine.xml }), 'SUCCESS', 200, `seed ${SEED} genuine`);
    const paid = await orderRow(stack, order.outTradeNo);
    expect(paid.status).toBe('PAID');
    expect(paid.transaction_id).toBe(transactionId);
    const after = await snapshot(stack);
    expect(after.events.slice(before.events.length)).toMatchObject([
      { from_status: 'PENDING', to_status: 'PAID', source: 'pay-notify' },
    ]);
    expect(after.notifications.slice(before.notifications.length)).toMatchObject([
      { transaction_id: transactionId, out_trade_no: order.outTradeNo, outcome: 'APPLIED' },
    ]);
    expect(after.orders.find((o) => o.out_trade_no === other.outTradeNo)!.status).toBe('PENDING');

    // WeChat's retries (either sign type) are acknowledged and change nothing.
    for (const replay of bases) {
      await expectReply(
        await send(stack, { body: replay.xml }),
        'SUCCESS',
        200,
        `seed ${SEED} replay ${replay.signType}`,
      );
    }
    expect(await snapshot(stack)).toEqual(after);
  });

  it.each(Object.keys(MEANING_PRESERVING))(
    'a genuine notification sent with %s pays its order once',
    async (variant) => {
      // A stream per variant: each needs its own transaction_id.
      const rng = new Rng(SEED + Object.keys(MEANING_PRESERVING).indexOf(variant) + 1);
      const order = await createOrder(stack.browser(), [{ productId: 'sticker', quantity: 1 }]);
      const transactionId = `4200${rng.hex(24).replace(/[a-f]/g, '9')}`;
      const signType = rng.pick(['MD5', 'HMAC-SHA256'] as const);
      const request = MEANING_PRESERVING[variant]!(genuineNotify(order, signType, rng, transactionId));
      const before = await snapshot(stack);
      const where = `${variant} (${signType})`;
      await expectReply(await send(stack, request), 'SUCCESS', 200, where);
      const after = await snapshot(stack);
      expect(
        after.orders.find((o) => o.out_trade_no === order.outTradeNo),
        where,
      ).toMatchObject({ status: 'PAID', transaction_id: transactionId });
      expect(after.events.slice(before.events.length), where).toMatchObject([
        { from_status: 'PENDING', to_status: 'PAID', source: 'pay-notify' },
      ]);
      expect(after.notifications.slice(before.notifications.length), where).toMatchObject([
        { transaction_id: transactionId, outcome: 'APPLIED' },
      ]);
      await expectReply(await send(stack, request), 'SUCCESS', 200, `${where} replayed`);
      expect(await snapshot(stack), `${where} replayed`).toEqual(after);
    },
  );
});
