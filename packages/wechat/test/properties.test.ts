/**
 * Seeded property tests of the v2 wire format: XML round trips, sign/verify, tamper detection and
 * hostile bytes. Deterministic (see helpers/prng.ts); a failure names the seed that replays it.
 */
import { describe, expect, it } from 'vitest';
import {
  WechatNotifyError,
  WechatSignatureError,
  WechatXmlError,
  buildXml,
  parsePayNotify,
  parseXml,
  sign,
  verify,
  type PayNotify,
  type SignType,
} from '../src/index';
import { forAll, type Prng } from './helpers/prng';

const KEY = '192006250b4c09247ec02edce69f6a2d';
const SIGN_TYPES: readonly SignType[] = ['MD5', 'HMAC-SHA256'];

type Value = string | number | null | undefined;
type Fields = Record<string, Value>;

// ---------------------------------------------------------------- generators

/** Real WeChat names, plus `constructor` (snake_case-shaped, and a key every plain object inherits). */
const KNOWN_NAMES = [
  'appid',
  'mch_id',
  'nonce_str',
  'body',
  'attach',
  'detail',
  'total_fee',
  'coupon_id_0',
  'coupon_fee_1',
  'openid',
  'constructor',
];
const NAME_START = 'abcdefghijklmnopqrstuvwxyz';
const NAME_REST = `${NAME_START}0123456789_`;

/** WeChat's field-name shape: lower-case snake_case with digits, never `sign`/`sign_type` (set by the tests). */
function fieldName(rng: Prng): string {
  if (rng.bool(0.3)) return rng.pick(KNOWN_NAMES);
  let name = rng.pick([...NAME_START]);
  const length = rng.int(0, 31);
  for (let i = 0; i < length; i++) name += rng.pick([...NAME_REST]);
  return name === 'sign' || name === 'sign_type' ? `${name}_x` : name;
}

/** Pieces that have broken XML writers and sign implementations before (CR is refused by buildXml: see sign-xml.test). */
const HARD_PIECES = [
  ']]>',
  ']]',
  ']',
  '<![CDATA[',
  '&',
  '&amp;',
  '&lt;',
  '<',
  '>',
  '"',
  "'",
  '=',
  '&key=',
  '中文',
  '腾讯-游戏',
  '￥',
  '😀',
  '𠮷',
  '👨‍👩‍👧',
  '\u0085',
  '\u007F',
  '\u00A0',
  '\u200B',
  ' ',
  '  ',
  '\n',
  '\t',
  'abc',
  'ORDER_0001',
  '0',
  '1.00',
  '-1',
];

function hardString(rng: Prng, maxPieces: number): string {
  let out = '';
  const pieces = rng.int(1, maxPieces);
  for (let i = 0; i < pieces; i++) out += rng.pick(HARD_PIECES);
  return out;
}

function value(rng: Prng, long: boolean): Value {
  const kind = rng.int(0, 9);
  if (kind === 0) return rng.pick(['', null, undefined]);
  if (kind === 1) return rng.pick([0, 1, rng.int(0, 2 ** 31), Number.MAX_SAFE_INTEGER]);
  if (long) {
    // A few KB of hard text: CJK and emoji make the byte length up to ~3x the string length.
    const piece = hardString(rng, 6);
    return piece.repeat(Math.ceil(rng.int(1000, 3000) / piece.length));
  }
  return hardString(rng, 12);
}

/** A flat map of 1–12 fields; at most one value is a few KB long, so the XML stays under MAX_XML_BYTES. */
function fieldMap(rng: Prng): Fields {
  const fields: Fields = {};
  const count = rng.int(1, 12);
  const longAt = rng.bool(0.3) ? rng.int(0, count - 1) : -1;
  for (let i = 0; i < count; i++) fields[fieldName(rng)] = value(rng, i === longAt);
  return fields;
}

/** What WeChat sees: empty values dropped, everything a string. */
function nonEmpty(fields: Fields): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(fields)) {
    if (v !== undefined && v !== null && String(v) !== '') out[name] = String(v);
  }
  return out;
}

interface SignedCase {
  fields: Record<string, string>;
  signType: SignType;
  /** Whether the message carries `sign_type` (MD5 may omit it; HMAC without it needs the caller to pin the type). */
  declared: boolean;
}

function signedCase(rng: Prng): SignedCase {
  const signType = rng.pick(SIGN_TYPES);
  const declared = rng.bool(0.6);
  // nonce_str guarantees a signed field to tamper with even when every generated value is empty.
  const params = {
    nonce_str: hardString(rng, 3),
    ...nonEmpty(fieldMap(rng)),
    ...(declared ? { sign_type: signType } : {}),
  };
  return { fields: { ...params, sign: sign(params, KEY, signType) }, signType, declared };
}

/** Replaces one character (code point) of `text` with a different one; the result is never empty. */
function changeOneChar(rng: Prng, text: string): string {
  const chars = Array.from(text);
  const at = rng.int(0, chars.length - 1);
  const replacement = rng.pick(['a', 'Z', '0', '9', '&', '=', ' ', '中', '😀', ']'].filter((c) => c !== chars[at]));
  chars[at] = replacement;
  return chars.join('');
}

// ---------------------------------------------------------------- round trip

describe('property: buildXml → parseXml and sign → verify round trips', () => {
  it('parseXml(buildXml(fields)) is the fields minus empty values, as strings', async () => {
    await forAll(400, fieldMap, async (fields) => {
      expect(await parseXml(buildXml(fields))).toEqual(nonEmpty(fields));
    });
  });

  it('a signed map verifies with MD5 and HMAC-SHA256, before and after the XML round trip', async () => {
    await forAll(300, fieldMap, async (fields) => {
      for (const signType of SIGN_TYPES) {
        const params = { ...fields, sign_type: signType };
        const signed = { ...params, sign: sign(params, KEY, signType) };
        expect(verify(signed, KEY)).toBe(true);
        expect(verify(signed, KEY, signType)).toBe(true);
        const parsed = await parseXml(buildXml(signed));
        expect(verify(parsed, KEY)).toBe(true);
        expect(verify(parsed, KEY, signType)).toBe(true);

        // Without sign_type, MD5 is the default and HMAC-SHA256 must be pinned by the caller.
        const bare = { ...fields, sign: sign(fields, KEY, signType) };
        const bareParsed = await parseXml(buildXml(bare));
        expect(verify(bareParsed, KEY, signType)).toBe(true);
        expect(verify(bareParsed, KEY)).toBe(signType === 'MD5');
      }
    });
  });
});

// ---------------------------------------------------------------- tamper detection

type Tamper = (rng: Prng, c: SignedCase) => { what: string; fields: Record<string, string> };

const TAMPERS: Record<string, Tamper> = {
  'one value changed by one character': (rng, c) => {
    const name = rng.pick(Object.keys(c.fields).filter((n) => n !== 'sign'));
    return { what: name, fields: { ...c.fields, [name]: changeOneChar(rng, c.fields[name] as string) } };
  },
  'one signed field dropped': (rng, c) => {
    const name = rng.pick(Object.keys(c.fields).filter((n) => n !== 'sign'));
    const { [name]: _dropped, ...rest } = c.fields;
    return { what: name, fields: rest };
  },
  'a non-empty field added': (rng, c) => {
    let name = fieldName(rng);
    while (name in c.fields) name += '_';
    return { what: name, fields: { ...c.fields, [name]: hardString(rng, 4) } };
  },
  'the sign changed by one hex digit': (rng, c) => {
    const sig = c.fields.sign as string;
    const at = rng.int(0, sig.length - 1);
    const digit = rng.pick([...'0123456789ABCDEF'].filter((d) => d !== sig[at]));
    return { what: `sign[${at}]`, fields: { ...c.fields, sign: sig.slice(0, at) + digit + sig.slice(at + 1) } };
  },
  'the sign in lower case': (_rng, c) => ({
    what: 'sign',
    fields: { ...c.fields, sign: (c.fields.sign as string).toLowerCase() },
  }),
  'the sign_type switched, added or removed': (_rng, c) => {
    const other = c.signType === 'MD5' ? 'HMAC-SHA256' : 'MD5';
    if (c.declared) return { what: 'sign_type', fields: { ...c.fields, sign_type: other } };
    return { what: 'sign_type', fields: { ...c.fields, sign_type: c.signType } };
  },
};

describe('property: tampering makes verify false', () => {
  for (const [name, tamper] of Object.entries(TAMPERS)) {
    it(name, async () => {
      await forAll(250, signedCase, (c, rng) => {
        // A sanity check on the generator: the untouched message verifies.
        expect(verify(c.fields, KEY, c.signType)).toBe(true);
        const { what, fields } = tamper(rng, c);
        expect(verify(fields, KEY, c.signType), `tampered ${what}`).toBe(false);
        expect(verify(fields, KEY), `tampered ${what}`).toBe(false);
      });
    });
  }

  it('dropping sign_type from a declared HMAC-SHA256 message fails even when the caller pins HMAC-SHA256', async () => {
    await forAll(100, signedCase, (c) => {
      if (!c.declared) return;
      const { sign_type: _dropped, ...rest } = c.fields;
      expect(verify(rest, KEY, c.signType)).toBe(false);
    });
  });
});

// ---------------------------------------------------------------- hostile bytes

const opts = { appId: 'wx2421b1c4370ec43b', mchId: '10000100', apiKey: KEY };

function paidNotify(rng: Prng): Record<string, string> {
  const fields: Record<string, string> = {
    return_code: 'SUCCESS',
    appid: opts.appId,
    mch_id: opts.mchId,
    nonce_str: 'abcdef0123456789',
    result_code: 'SUCCESS',
    openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o',
    trade_type: 'JSAPI',
    bank_type: 'CFT',
    total_fee: String(rng.int(1, 100000)),
    cash_fee: String(rng.int(1, 100000)),
    transaction_id: '4200000000202401010000000001',
    out_trade_no: `ORDER${rng.int(0, 99999)}`,
    time_end: '20240101120000',
  };
  if (rng.bool()) fields.attach = hardString(rng, 8);
  const signType = rng.pick(SIGN_TYPES);
  if (rng.bool()) fields.sign_type = signType;
  return { ...fields, sign: sign(fields, KEY, signType) };
}

const INSERTS: readonly (string | Buffer)[] = [
  '<',
  '>',
  '&',
  ']]>',
  '<![CDATA[',
  '<!DOCTYPE',
  '<!DOCTYPE xml [<!ENTITY x "y">]>',
  '<!ENTITY',
  '&amp;',
  '&x;',
  '</xml>',
  '<xml>',
  '<a>',
  '<a/>',
  '<total_fee>1</total_fee>',
  ' ',
  '\n',
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000B',
  '\u001F',
  '\uFFFE',
  '\uFEFF',
  Buffer.from([0xff]),
  Buffer.from([0x80]),
  Buffer.from([0xc0, 0x80]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xe4, 0xb8]),
  Buffer.from([0xf0, 0x9f, 0x98]),
  Buffer.from([0xfe, 0xff]),
];

interface Mutation {
  kind: string;
  at: number;
  detail?: string | number;
}

interface HostileCase {
  original: Record<string, string>;
  mutations: Mutation[];
  bytes: Buffer;
  asString: boolean;
}

function mutate(rng: Prng, bytes: Buffer): { bytes: Buffer; mutation: Mutation } {
  const at = rng.int(0, Math.max(0, bytes.length - 1));
  switch (rng.int(0, 2)) {
    case 0:
      return { bytes: bytes.subarray(0, at), mutation: { kind: 'truncate', at } };
    case 1: {
      const flipped = Buffer.from(bytes);
      const mask = rng.int(1, 255);
      if (flipped.length > 0) flipped[at] = (flipped[at] as number) ^ mask;
      return { bytes: flipped, mutation: { kind: 'flip', at, detail: mask } };
    }
    default: {
      const insert = rng.pick(INSERTS);
      const chunk = typeof insert === 'string' ? Buffer.from(insert, 'utf8') : insert;
      return {
        bytes: Buffer.concat([bytes.subarray(0, at), chunk, bytes.subarray(at)]),
        mutation: { kind: 'insert', at, detail: chunk.toString('hex') },
      };
    }
  }
}

function hostileCase(rng: Prng): HostileCase {
  const original = paidNotify(rng);
  let bytes: Buffer = Buffer.from(buildXml(original), 'utf8');
  const mutations: Mutation[] = [];
  const count = rng.int(1, 3);
  for (let i = 0; i < count; i++) {
    const next = mutate(rng, bytes);
    bytes = next.bytes;
    mutations.push(next.mutation);
  }
  return { original, mutations, bytes, asString: rng.bool(0.3) };
}

async function outcome<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** Empty fields are not signed (WeChat's rule), so an injected `<a/>` may survive; it carries nothing. */
function withoutEmptyRaw(notify: PayNotify): PayNotify {
  return { ...notify, raw: nonEmpty(notify.raw) };
}

describe('property: hostile bytes into a valid signed notification', () => {
  it('parseXml returns a flat object of strings or throws WechatXmlError, nothing else', async () => {
    await forAll(1500, hostileCase, async (c) => {
      const result = await outcome(parseXml(c.asString ? c.bytes.toString('utf8') : c.bytes));
      if (!result.ok) {
        expect(result.error).toBeInstanceOf(WechatXmlError);
        return;
      }
      expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
      for (const [name, v] of Object.entries(result.value)) {
        expect(name).toMatch(/^[A-Za-z_:][\w.:\-\u00B7-\uFFFD]*$/u);
        expect(typeof v).toBe('string');
      }
    });
  });

  it('parsePayNotify returns the original notification or throws a typed error', async () => {
    await forAll(1500, hostileCase, async (c) => {
      const expected = await parsePayNotify(buildXml(c.original), opts);
      const result = await outcome(parsePayNotify(c.asString ? c.bytes.toString('utf8') : c.bytes, opts));
      if (!result.ok) {
        expect(
          [WechatXmlError, WechatSignatureError, WechatNotifyError].some((type) => result.error instanceof type),
          String(result.error),
        ).toBe(true);
        return;
      }
      expect(withoutEmptyRaw(result.value)).toEqual(expected);
    });
  });
});
