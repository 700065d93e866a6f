/** Sign/verify and XML parsing against hostile and edge-case input; round trips. */
import { describe, expect, it } from 'vitest';
import { WechatXmlError, buildXml, parseXml, sign, signTypeOf, verify } from '../src/index';

const KEY = '192006250b4c09247ec02edce69f6a2d';
const base = { appid: 'wx2421b1c4370ec43b', mch_id: '10000100', nonce_str: 'n0nce', total_fee: '1', sign_type: 'MD5' };

async function xmlError(input: unknown, options?: { root?: string; maxBytes?: number }): Promise<WechatXmlError> {
  const err = await parseXml(input as string, options).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WechatXmlError);
  return err as WechatXmlError;
}

describe('sign → verify', () => {
  for (const type of ['MD5', 'HMAC-SHA256'] as const) {
    it(`round-trips with ${type}`, () => {
      const params = { ...base, sign_type: type, body: '中文 & <tags>' };
      const signed = { ...params, sign: sign(params, KEY, type) };
      expect(verify(signed, KEY)).toBe(true);
      expect(verify(signed, KEY, type)).toBe(true);
      expect(verify(signed, 'another-key-another-key-another-k')).toBe(false);
    });
  }

  it('rejects a tampered field', () => {
    const signed = { ...base, sign: sign(base, KEY) };
    expect(verify({ ...signed, total_fee: '100' }, KEY)).toBe(false);
  });

  it('rejects a field added after signing', () => {
    const signed = { ...base, sign: sign(base, KEY) };
    expect(verify({ ...signed, attach: 'x' }, KEY)).toBe(false);
  });

  it('treats empty values as absent but keeps "0"', () => {
    const signed = { ...base, sign: sign(base, KEY) };
    expect(verify({ ...signed, attach: '' }, KEY)).toBe(true);
    expect(sign({ ...base, coupon_fee: '0' }, KEY)).not.toBe(sign(base, KEY));
    expect(sign({ ...base, coupon_fee: 0 }, KEY)).toBe(sign({ ...base, coupon_fee: '0' }, KEY));
  });

  it('rejects a declared HMAC-SHA256 message carrying an MD5-length sign', () => {
    const params = { ...base, sign_type: 'HMAC-SHA256' };
    expect(verify({ ...params, sign: sign(params, KEY, 'MD5') }, KEY)).toBe(false);
  });

  it('rejects a sign type pinned by the caller that differs from the declared one', () => {
    const params = { ...base, sign_type: 'MD5' };
    expect(verify({ ...params, sign: sign(params, KEY, 'MD5') }, KEY, 'HMAC-SHA256')).toBe(false);
  });

  it('rejects lower-case md5 as a sign type', () => {
    const params = { ...base, sign_type: 'md5' };
    expect(signTypeOf(params)).toBeNull();
    expect(verify({ ...params, sign: sign(params, KEY, 'MD5') }, KEY)).toBe(false);
  });

  it('rejects a missing or empty sign', () => {
    expect(verify(base, KEY)).toBe(false);
    expect(verify({ ...base, sign: '' }, KEY)).toBe(false);
  });

  it('rejects a lower-case hex sign (WeChat signs upper-case)', () => {
    expect(verify({ ...base, sign: sign(base, KEY).toLowerCase() }, KEY)).toBe(false);
  });
});

describe('parseXml hostile input', () => {
  it('refuses XXE via an external DOCTYPE', async () => {
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>';
    expect((await xmlError(xxe)).reason).toBe('DOCTYPE');
    expect((await xmlError('<!doctype xml SYSTEM "file:///etc/passwd"><xml></xml>')).reason).toBe('DOCTYPE');
  });

  it('refuses billion laughs', async () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><xml><a>&lol3;</a></xml>';
    expect((await xmlError(lol)).reason).toBe('DOCTYPE');
  });

  it('refuses an undeclared entity', async () => {
    expect((await xmlError('<xml><a>&lol;</a></xml>')).reason).toBe('MALFORMED');
  });

  it('refuses a 1 MB body before parsing it', async () => {
    const big = `<xml><a>${'A'.repeat(1024 * 1024)}</a></xml>`;
    expect((await xmlError(big)).reason).toBe('TOO_LARGE');
    expect((await xmlError(Buffer.from(big))).reason).toBe('TOO_LARGE');
  });

  it('honours a custom maxBytes', async () => {
    expect((await xmlError('<xml><a>12345</a></xml>', { maxBytes: 10 })).reason).toBe('TOO_LARGE');
  });

  it('refuses empty input', async () => {
    expect((await xmlError('')).reason).toBe('EMPTY');
    expect((await xmlError(Buffer.alloc(0))).reason).toBe('EMPTY');
  });

  it('refuses truncated XML', async () => {
    expect((await xmlError('<xml><return_code><![CDATA[SUCCESS]]></return_code><a>1')).reason).toBe('MALFORMED');
    expect((await xmlError('<xml><a><![CDATA[x')).reason).toBe('MALFORMED');
  });

  it('refuses plain text and JSON', async () => {
    expect(['MALFORMED', 'BAD_ROOT']).toContain((await xmlError('success')).reason);
    expect(['MALFORMED', 'BAD_ROOT']).toContain((await xmlError('{"a":1}')).reason);
  });

  it('refuses a wrong root', async () => {
    expect((await xmlError('<root><a>1</a></root>')).reason).toBe('BAD_ROOT');
    expect((await xmlError('<xml><a>1</a></xml>', { root: 'root' })).reason).toBe('BAD_ROOT');
  });

  it('refuses a second document or text after the root', async () => {
    expect((await xmlError('<xml><a>1</a></xml><xml><a>2</a></xml>')).reason).toBe('MALFORMED');
    expect((await xmlError('<xml><a>1</a></xml>junk')).reason).toBe('MALFORMED');
    // sax counts UTF-16 code units, as String.slice does: astral characters must not hide trailing junk.
    expect((await xmlError('<xml><a>😀😀😀😀</a></xml>x')).reason).toBe('MALFORMED');
    expect((await xmlError(Buffer.from('\uFEFF<xml><a>中文😀</a></xml><xml/>'))).reason).toBe('MALFORMED');
  });

  it('refuses nested elements', async () => {
    expect((await xmlError('<xml><a><b>1</b></a></xml>')).reason).toBe('NOT_FLAT');
  });

  it('refuses repeated elements', async () => {
    expect((await xmlError('<xml><total_fee>1</total_fee><total_fee>100</total_fee></xml>')).reason).toBe('NOT_FLAT');
  });

  it('refuses attributes on the root and on fields', async () => {
    expect((await xmlError('<xml a="1"><b>2</b></xml>')).reason).toBe('NOT_FLAT');
    expect((await xmlError('<xml><b c="1">2</b></xml>')).reason).toBe('NOT_FLAT');
  });

  it('refuses text mixed into the root', async () => {
    expect((await xmlError('<xml>stray<a>1</a></xml>')).reason).toBe('NOT_FLAT');
  });

  it('refuses non-string input', async () => {
    expect((await xmlError(42)).reason).toBe('MALFORMED');
    expect((await xmlError({ xml: {} })).reason).toBe('MALFORMED');
    expect((await xmlError(null)).reason).toBe('MALFORMED');
  });

  it('does not let __proto__ through', async () => {
    await xmlError('<xml><__proto__><![CDATA[x]]></__proto__><a>1</a></xml>');
  });

  it('accepts a prolog, BOM, whitespace, empty and self-closing fields', async () => {
    const fields = await parseXml(
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<xml>\n  <a><![CDATA[ x ]]></a>\n  <b></b><c/>\n</xml>\n',
    );
    expect(fields).toEqual({ a: ' x ', b: '', c: '' });
    expect(await parseXml('<xml></xml>')).toEqual({});
    expect(await parseXml('<xml> </xml>')).toEqual({});
  });

  it('parses concurrently without cross-talk', async () => {
    const docs = Array.from({ length: 20 }, (_, i) => parseXml(`<xml><n>${i}</n></xml>`));
    expect((await Promise.all(docs)).map((d) => d.n)).toEqual(Array.from({ length: 20 }, (_, i) => String(i)));
  });
});

describe('buildXml → parseXml', () => {
  it('round-trips CJK, ]]>, &<> and quotes exactly', async () => {
    const fields = {
      body: '腾讯-游戏 😀',
      attach: 'a]]>b]]>]]>',
      detail: '{"x":"<y> & \'z\'"}',
      spaces: '  leading and trailing  ',
      newline: 'line1\nline2',
    };
    expect(await parseXml(buildXml(fields))).toEqual(fields);
  });

  it('omits empty values and writes numbers as strings', async () => {
    const xml = buildXml({ a: '', b: undefined, c: null, total_fee: 1, zero: 0 });
    expect(xml).toBe('<xml><total_fee><![CDATA[1]]></total_fee><zero><![CDATA[0]]></zero></xml>');
    expect(await parseXml(xml)).toEqual({ total_fee: '1', zero: '0' });
  });

  it('refuses values XML 1.0 cannot carry instead of sending a body WeChat rejects', () => {
    for (const bad of ['a\u0000b', 'a\u0001b', 'a\u001Fb', 'a\uFFFEb', 'a\uD800b', '\uDC00']) {
      let err: unknown;
      try {
        buildXml({ body: bad });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(WechatXmlError);
      expect((err as WechatXmlError).reason).toBe('INVALID_CHAR');
    }
    // Tab, LF, astral characters and U+007F–U+009F are XML characters.
    expect(() => buildXml({ body: 'a\tb\nc😀\u007F\u0085' })).not.toThrow();
  });

  it('refuses to parse characters XML 1.0 forbids, even inside CDATA, so every parsed field can be re-built', async () => {
    for (const bad of ['a\u0001b', 'a\u001Fb', 'a\uFFFFb', 'a\uD800b']) {
      await expect(parseXml(`<xml><body><![CDATA[${bad}]]></body></xml>`)).rejects.toMatchObject({
        reason: 'INVALID_CHAR',
      });
    }
    await expect(parseXml(Buffer.from('<xml><body>a\u0008b</body></xml>'))).rejects.toMatchObject({
      reason: 'INVALID_CHAR',
    });
    expect(await parseXml('<xml><body><![CDATA[a\tb\nc😀\u0085]]></body></xml>')).toEqual({ body: 'a\tb\nc😀\u0085' });
  });

  it('round-trips fields named after inherited object properties (found by the property tests)', async () => {
    // xml2js checks `name in obj`, so <constructor> used to read as a repeated field and be refused.
    const fields = { constructor: 'c', to_string: 't', appid: 'wx1' };
    expect(await parseXml(buildXml(fields))).toEqual(fields);
    expect(await parseXml('<xml><constructor>1</constructor><cdata><![CDATA[2]]></cdata></xml>')).toEqual({
      constructor: '1',
      cdata: '2',
    });
    expect(await parseXml('<root><constructor>1</constructor></root>', { root: 'root' })).toEqual({ constructor: '1' });
    // A repeated inherited name is still a repeated field.
    await expect(parseXml('<xml><constructor>1</constructor><constructor>2</constructor></xml>')).rejects.toMatchObject(
      { reason: 'NOT_FLAT' },
    );
    // An element named like the root is a field, not a second root.
    expect(await parseXml('<xml><xml>1</xml></xml>')).toEqual({ xml: '1' });
  });

  it('refuses __proto__ both ways instead of dropping it silently', async () => {
    await expect(parseXml('<xml><__proto__>x</__proto__></xml>')).rejects.toMatchObject({
      reason: 'NOT_FLAT',
      message: 'field <__proto__> is not allowed',
    });
    expect(() => buildXml(JSON.parse('{"__proto__":"x"}') as Record<string, string>)).toThrow(WechatXmlError);
  });

  it('reads CR LF and lone CR as LF, as every XML parser must, and refuses to build a value with CR', async () => {
    expect(await parseXml('<xml>\r\n<a><![CDATA[x\r\ny\rz]]></a>\r\n<b>1\r2</b></xml>')).toEqual({
      a: 'x\ny\nz',
      b: '1\n2',
    });
    // The receiver would verify the sign over LF where the sender signed CR LF.
    for (const bad of ['line1\r\nline2', 'a\rb']) {
      expect(() => buildXml({ detail: bad })).toThrow(expect.objectContaining({ reason: 'INVALID_CHAR' }));
    }
  });

  it('builds a custom root and refuses invalid field names', async () => {
    expect(await parseXml(buildXml({ a: '1' }, 'root'), { root: 'root' })).toEqual({ a: '1' });
    expect(() => buildXml({ 'a><b': '1' })).toThrow(WechatXmlError);
  });

  it('a signed message survives the round trip and still verifies', async () => {
    const params = { ...base, body: 'JSAPI支付测试]]>&' };
    const xml = buildXml({ ...params, sign: sign(params, KEY) });
    expect(verify(await parseXml(xml), KEY)).toBe(true);
  });
});
