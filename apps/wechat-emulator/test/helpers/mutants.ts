/**
 * Seeded mutations of a correctly signed Pay v2 request. Pure: the same seed gives the same
 * bodies, so a failure names its seed and mutant and can be replayed exactly.
 */
import { MAX_XML_BYTES, sign, type SignType } from '@wxpay-shop/wechat';
import { Prng as Rng } from '@wxpay-shop/wechat/testing';

export { Rng };

export type Entries = Array<[string, string]>;

/** A correctly signed request: its fields in order (sign last), the key and sign type used. */
export interface BaseRequest {
  entries: Entries;
  key: string;
  signType: SignType;
}

/**
 * What the emulator must do with a mutant: `reject` (return_code FAIL, optionally with this exact
 * return_msg, and no state change), `accept` (a genuine request: signed SUCCESS-level reply), or
 * `oracle` (the outcome depends on where the mutation landed; the test decides from the bytes).
 */
export type Expectation =
  { kind: 'reject'; returnMsg?: string } | { kind: 'accept'; signType: SignType } | { kind: 'oracle' };

export interface Mutant {
  name: string;
  body: Buffer;
  expect: Expectation;
}

/** Serialises entries as WeChat does (CDATA), keeping duplicates and empty values as given. */
export function toXml(entries: Entries): string {
  return `<xml>${entries.map(([k, v]) => `<${k}><![CDATA[${v}]]></${k}>`).join('')}</xml>`;
}

export function signEntries(entries: Entries, key: string, signType: SignType): Entries {
  const fields = entries.filter(([k]) => k !== 'sign');
  return [...fields, ['sign', sign(Object.fromEntries(fields), key, signType)]];
}

/** Lower or odd spellings WeChat does not accept as sign_type. */
const UNSUPPORTED_SIGN_TYPES = ['md5', 'hmac-sha256', 'HMAC_SHA256', 'SHA256', ' MD5', 'MD5 '];
/** Names no handler reads: a signed request carrying them is still genuine (unknown fields are signed). */
const HARMLESS_EXTRA_NAMES = ['x_extra', 'spare_note', 'constructor', 'zz'];
/** Names that look like attacks on the parser's object; only sent with the original sign. */
const HOSTILE_EXTRA_NAMES = ['__proto__', 'hasOwnProperty', 'toString', 'sign_type2'];
const CONTROL_CHARS = [...'\u0000\u0001\u0007\u0008\u000B\u000C\u000E\u001B\u001F'];
const BAD_UTF8: Buffer[] = [
  Buffer.from([0xff]),
  Buffer.from([0x80]),
  Buffer.from([0xc0, 0xaf]), // overlong '/'
  Buffer.from([0xed, 0xa0, 0x80]), // UTF-16 surrogate encoded in UTF-8
  Buffer.from([0xe4, 0xb8]), // truncated 3-byte sequence
  Buffer.from([0xf5, 0x80, 0x80, 0x80]), // beyond U+10FFFF
];
const SIGN_ERROR = '签名错误';
const XML_ERROR = 'XML_FORMAT_ERROR';

type MutationFn = (base: BaseRequest, rng: Rng) => Mutant;

function fromText(name: string, text: string, expect: Expectation): Mutant {
  return { name, body: Buffer.from(text, 'utf8'), expect };
}

const baseBytes = (base: BaseRequest) => Buffer.from(toXml(base.entries), 'utf8');
const withoutSignType = (entries: Entries) => entries.filter(([k]) => k !== 'sign_type');

/** A random position inside the body, or (for values) inside a random field's value. */
function insertAt(bytes: Buffer, position: number, insert: Buffer): Buffer {
  return Buffer.concat([bytes.subarray(0, position), insert, bytes.subarray(position)]);
}

function valuePosition(base: BaseRequest, rng: Rng): number {
  // Byte offset just inside a random field's CDATA, so the damage lands in a value the sign covers.
  const i = rng.below(base.entries.length);
  const before = toXml(base.entries.slice(0, i)).slice(0, -'</xml>'.length);
  const [name, value] = base.entries[i]!;
  // Between two characters, never inside a multi-byte one (that would be an invalid-UTF-8 mutant).
  const chars = Array.from(value);
  const head = chars.slice(0, rng.below(chars.length + 1)).join('');
  return Buffer.byteLength(`${before}<${name}><![CDATA[${head}`, 'utf8');
}

export const MUTATIONS: Record<string, MutationFn> = {
  truncated: (base, rng) => {
    const bytes = baseBytes(base);
    const length = rng.below(bytes.length);
    return {
      name: `truncated to ${length}/${bytes.length} bytes`,
      body: bytes.subarray(0, length),
      expect: { kind: 'reject' },
    };
  },
  byteFlip: (base, rng) => {
    const bytes = Buffer.from(baseBytes(base));
    const at = rng.below(bytes.length);
    const mask = 1 + rng.below(255);
    bytes[at] = bytes[at]! ^ mask;
    return { name: `byte ${at} xor 0x${mask.toString(16)}`, body: bytes, expect: { kind: 'oracle' } };
  },
  invalidUtf8: (base, rng) => {
    const bad = rng.pick(BAD_UTF8);
    const at = rng.next() < 0.5 ? valuePosition(base, rng) : rng.below(baseBytes(base).length + 1);
    return {
      name: `invalid UTF-8 ${bad.toString('hex')} at ${at}`,
      body: insertAt(baseBytes(base), at, bad),
      expect: { kind: 'reject', returnMsg: 'NOT_UTF8' },
    };
  },
  controlChar: (base, rng) => {
    const char = rng.pick(CONTROL_CHARS);
    const at = valuePosition(base, rng);
    const name = `control U+${char.codePointAt(0)!.toString(16).padStart(4, '0')} in a value at ${at}`;
    return {
      name,
      body: insertAt(baseBytes(base), at, Buffer.from(char, 'utf8')),
      expect: { kind: 'reject', returnMsg: XML_ERROR },
    };
  },
  duplicatedField: (base, rng) => {
    const [name, value] = rng.pick(base.entries);
    const copy: [string, string] = [name, rng.next() < 0.5 ? value : rng.alnum(8)];
    const entries = [...base.entries];
    entries.splice(rng.below(entries.length + 1), 0, copy);
    return fromText(`duplicated <${name}>`, toXml(entries), { kind: 'reject', returnMsg: XML_ERROR });
  },
  extraFieldOriginalSign: (base, rng) => {
    const name = rng.pick([...HARMLESS_EXTRA_NAMES, ...HOSTILE_EXTRA_NAMES]);
    const entries: Entries = [[name, rng.alnum(6)], ...base.entries];
    // The shared parser refuses a <__proto__> field outright; other names only break the sign.
    const returnMsg = name === '__proto__' ? XML_ERROR : SIGN_ERROR;
    return fromText(`extra <${name}> with the original sign`, toXml(entries), { kind: 'reject', returnMsg });
  },
  extraFieldResigned: (base, rng) => {
    const name = rng.pick(HARMLESS_EXTRA_NAMES);
    const entries = signEntries([[name, rng.alnum(6)], ...base.entries], base.key, base.signType);
    return fromText(`extra <${name}>, re-signed`, toXml(entries), { kind: 'accept', signType: base.signType });
  },
  emptySign: (base, rng) => {
    const withEmpty = base.entries.map(([k, v]): [string, string] => [k, k === 'sign' ? '' : v]);
    const entries = rng.next() < 0.5 ? withEmpty : base.entries.filter(([k]) => k !== 'sign');
    return fromText(rng.next() < 0.5 ? 'empty <sign>' : 'no <sign>', toXml(entries), {
      kind: 'reject',
      returnMsg: SIGN_ERROR,
    });
  },
  changedFieldOriginalSign: (base, rng) => {
    // mch_id and sign_type have their own earlier errors; sign itself is covered by byteFlip.
    const candidates = base.entries.filter(([k]) => !['mch_id', 'sign_type', 'sign'].includes(k));
    const [name, value] = rng.pick(candidates);
    if (rng.next() < 0.25)
      return fromText(`<${name}> removed, original sign`, toXml(base.entries.filter(([k]) => k !== name)), {
        kind: 'reject',
        returnMsg: SIGN_ERROR,
      });
    let changed = rng.alnum(1 + rng.below(10));
    if (changed === value) changed += 'x';
    const entries = base.entries.map(([k, v]): [string, string] => [k, k === name ? changed : v]);
    return fromText(`<${name}> changed to ${changed}, original sign`, toXml(entries), {
      kind: 'reject',
      returnMsg: SIGN_ERROR,
    });
  },
  wrongKey: (base, rng) => {
    const key = rng.alnum(32);
    return fromText('re-signed with a wrong key', toXml(signEntries(base.entries, key, base.signType)), {
      kind: 'reject',
      returnMsg: SIGN_ERROR,
    });
  },
  signTypeSwitched: (base, rng) => {
    const other: SignType = base.signType === 'MD5' ? 'HMAC-SHA256' : 'MD5';
    const declared: Entries = other === 'MD5' ? withoutSignType(base.entries) : [['sign_type', other], ...base.entries];
    if (rng.next() < 0.5)
      return fromText(`sign_type switched to ${other}, old sign`, toXml(declared), {
        kind: 'reject',
        returnMsg: SIGN_ERROR,
      });
    return fromText(`sign_type switched to ${other}, re-signed`, toXml(signEntries(declared, base.key, other)), {
      kind: 'accept',
      signType: other,
    });
  },
  signTypeUnsupported: (base, rng) => {
    const value = rng.pick(UNSUPPORTED_SIGN_TYPES);
    const entries = signEntries([['sign_type', value], ...withoutSignType(base.entries)], base.key, 'MD5');
    return fromText(`sign_type ${JSON.stringify(value)}`, toXml(entries), {
      kind: 'reject',
      returnMsg: '签名类型不支持',
    });
  },
  doctype: (base, rng) => {
    const xml = toXml(base.entries);
    const mchId = base.entries.find(([k]) => k === 'mch_id')![1];
    const variants = [
      `<!DOCTYPE xml>${xml}`,
      `<?xml version="1.0"?>\n<!doctype xml [<!ENTITY e "${mchId}">]>${xml}`,
      // The entity would expand to the real mch_id: only the declaration stands between it and a valid request.
      `<!DOCTYPE xml [<!ENTITY m "${mchId}">]>${xml.replace(`<mch_id><![CDATA[${mchId}]]></mch_id>`, '<mch_id>&m;</mch_id>')}`,
      `<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>${xml.replace('</xml>', '<attach>&x;</attach></xml>')}`,
      `<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>${xml.replace('</xml>', '<attach>&b;</attach></xml>')}`,
    ];
    const i = rng.below(variants.length);
    return fromText(`DOCTYPE/ENTITY variant ${i}`, variants[i]!, { kind: 'reject', returnMsg: XML_ERROR });
  },
  secondDocument: (base, rng) => {
    const xml = toXml(base.entries);
    const variants = [xml + xml, `${xml}\n<xml><total_fee>1</total_fee></xml>`, `${xml}<xml/>`, `${xml}trailing`];
    const i = rng.below(variants.length);
    return fromText(`second document variant ${i}`, variants[i]!, { kind: 'reject', returnMsg: XML_ERROR });
  },
  oversized: (base, rng) => {
    // Just over the XML limit, over the raw body limit, and far over it.
    const target = rng.pick([MAX_XML_BYTES + 1, 256 * 1024 + 1, 1024 * 1024]);
    const xml = toXml(base.entries);
    const padding = target - Buffer.byteLength(xml, 'utf8') - '<pad></pad>'.length;
    return fromText(`oversized ${target} bytes`, xml.replace('</xml>', `<pad>${'p'.repeat(padding)}</pad></xml>`), {
      kind: 'reject',
      returnMsg: XML_ERROR,
    });
  },
  empty: () => ({
    name: 'empty body',
    body: Buffer.alloc(0),
    expect: { kind: 'reject', returnMsg: 'POST_DATA_EMPTY' },
  }),
  notFlat: (base, rng) => {
    const xml = toXml(base.entries);
    const variants = [
      xml.replace('<xml>', '<xml><nested><a>1</a></nested>'),
      xml.replace('<appid>', '<appid lang="zh">'),
      xml.replace('<xml>', '<xml>stray text'),
    ];
    const i = rng.below(variants.length);
    return fromText(`not flat variant ${i}`, variants[i]!, { kind: 'reject', returnMsg: XML_ERROR });
  },
  /** Harmless framing a real client may send: the request stays genuine. */
  harmlessFraming: (base, rng) => {
    const xml = toXml(base.entries);
    const variants = [`\uFEFF${xml}`, `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`, `${xml}\r\n`, xml];
    const i = rng.below(variants.length);
    return fromText(`harmless framing variant ${i}`, variants[i]!, { kind: 'accept', signType: base.signType });
  },
};

/** Content-Types sent at random: the emulator reads the body as XML whatever the header says. */
export const CONTENT_TYPES: ReadonlyArray<string | undefined> = [
  'text/xml',
  'application/xml; charset=utf-8',
  'application/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'text/plain; charset=gbk',
  undefined,
];
