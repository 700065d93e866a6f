import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { buildXml, parseXml, sign, verify } from '@wxpay-shop/wechat';
import type { Emulator } from '../src/index';
import { openidFor } from '../src/index';
import { M, orderParams, payApi, postXml, signed, startEmulator } from './helpers/emulator';

let emu: Emulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(async () => {
  await emu.stop();
});

describe('official sign vector (§12 V1) through the emulator', () => {
  const V1 = {
    appid: 'wxd930ea5d5a258f4f',
    mch_id: '10000100',
    device_info: '1000',
    body: 'test',
    nonce_str: 'ibuaiVcKdpRxkhJA',
  };

  it('accepts exactly sign 9A0A8659F005D6984697E2CA0A9CF3B7 and rejects a one-character change', async () => {
    await emu.stop();
    emu = await startEmulator({ merchants: [{ ...M, apiKey: '192006250b4c09247ec02edce69f6a2d' }] });
    const good = await postXml(
      `${emu.httpUrl}/pay/orderquery`,
      buildXml({ ...V1, sign: '9A0A8659F005D6984697E2CA0A9CF3B7' }),
    );
    // Signature accepted → the request reaches business validation (no order number given).
    expect(good.fields.return_code).toBe('SUCCESS');
    expect(good.fields.err_code).toBe('LACK_PARAMS');
    // The emulator's reply is signed with the same key: verifiable by the shared core.
    expect(verify(good.fields, '192006250b4c09247ec02edce69f6a2d', 'MD5')).toBe(true);
    const bad = await postXml(
      `${emu.httpUrl}/pay/orderquery`,
      buildXml({ ...V1, sign: '9A0A8659F005D6984697E2CA0A9CF3B8' }),
    );
    expect(bad.fields).toEqual({ return_code: 'FAIL', return_msg: '签名错误' });
  });
});

describe('official sign vector (§12 V2, HMAC-SHA256) through the emulator', () => {
  const V1 = {
    appid: 'wxd930ea5d5a258f4f',
    mch_id: '10000100',
    device_info: '1000',
    body: 'test',
    nonce_str: 'ibuaiVcKdpRxkhJA',
  };
  const KEY = '192006250b4c09247ec02edce69f6a2d';
  /** The documented algorithm, written out here rather than taken from the shared core. */
  const hmac = (params: Record<string, string>) => {
    const text = Object.keys(params)
      .sort()
      .map((k) => `${k}=${params[k]}`)
      .join('&');
    return createHmac('sha256', KEY).update(`${text}&key=${KEY}`, 'utf8').digest('hex').toUpperCase();
  };

  it('accepts the vector once sign_type=HMAC-SHA256 is declared, and never takes a 64-character sign without it', async () => {
    await emu.stop();
    emu = await startEmulator({ merchants: [{ ...M, apiKey: KEY }] });
    // The published vector, which is computed without a sign_type field.
    expect(hmac(V1)).toBe('6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6');
    // A request must declare its sign type, and sign_type is then part of the signed string (checked with openssl dgst -hmac).
    const declared = { ...V1, sign_type: 'HMAC-SHA256' };
    expect(hmac(declared)).toBe('2C9DF1156522C0B2B03B4DBF3BCA5CACB602CBD5CA0F9E112458CF3E9855303B');

    const good = await postXml(
      `${emu.httpUrl}/pay/orderquery`,
      buildXml({ ...declared, sign: '2C9DF1156522C0B2B03B4DBF3BCA5CACB602CBD5CA0F9E112458CF3E9855303B' }),
    );
    expect(good.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'FAIL', err_code: 'LACK_PARAMS' });
    // The reply is signed with the request's sign type.
    expect(good.fields.sign).toHaveLength(64);
    expect(verify(good.fields, KEY, 'HMAC-SHA256')).toBe(true);
    const bad = await postXml(
      `${emu.httpUrl}/pay/orderquery`,
      buildXml({ ...declared, sign: '2C9DF1156522C0B2B03B4DBF3BCA5CACB602CBD5CA0F9E112458CF3E9855303C' }),
    );
    expect(bad.fields).toEqual({ return_code: 'FAIL', return_msg: '签名错误' });
    // Without sign_type the type is MD5 (the documented default), so the bare V2 sign is refused, as WeChat does.
    const undeclared = await postXml(
      `${emu.httpUrl}/pay/orderquery`,
      buildXml({ ...V1, sign: '6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6' }),
    );
    expect(undeclared.fields).toEqual({ return_code: 'FAIL', return_msg: '签名错误' });
  });
});

describe('protocol envelope', () => {
  it('GET → REQUIRE_POST_METHOD, empty → POST_DATA_EMPTY, malformed/DOCTYPE → XML_FORMAT_ERROR', async () => {
    const get = await fetch(`${emu.httpUrl}/pay/unifiedorder`);
    expect(await get.text()).toContain('REQUIRE_POST_METHOD');
    expect((await postXml(`${emu.httpUrl}/pay/unifiedorder`, '')).fields).toEqual({
      return_code: 'FAIL',
      return_msg: 'POST_DATA_EMPTY',
    });
    expect((await postXml(`${emu.httpUrl}/pay/unifiedorder`, '<xml><a>1</xml>')).fields.return_msg).toBe(
      'XML_FORMAT_ERROR',
    );
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><xml><mch_id>&e;</mch_id></xml>';
    expect((await postXml(`${emu.httpUrl}/pay/unifiedorder`, xxe)).fields.return_msg).toBe('XML_FORMAT_ERROR');
    expect(
      (await postXml(`${emu.httpUrl}/pay/unifiedorder`, Buffer.from([0x3c, 0x78, 0xff, 0xfe]))).fields.return_msg,
    ).toBe('NOT_UTF8');
  });

  it('a body over the raw limit gets WeChat XML (XML_FORMAT_ERROR), not a bare 413, and the keep-alive connection stays usable', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const huge = Buffer.from(`<xml><attach>${'a'.repeat(1024 * 1024)}</attach></xml>`);
      for (const chunked of [false, true]) {
        const over = await keepAlivePost(agent, `${emu.httpUrl}/pay/unifiedorder`, huge, chunked);
        expect(over.status, `chunked=${chunked}`).toBe(200);
        expect(over.contentType).toMatch(/^text\/xml/);
        expect(await parseXml(over.text)).toEqual({ return_code: 'FAIL', return_msg: 'XML_FORMAT_ERROR' });
        // The rest of the upload was discarded, not left to garble the next request on the socket.
        const next = await keepAlivePost(
          agent,
          `${emu.httpUrl}/pay/orderquery`,
          Buffer.from(signed({ out_trade_no: 'NONE1' })),
          false,
        );
        expect(next.reusedSocket, `chunked=${chunked}`).toBe(true);
        expect((await parseXml(next.text)).err_code).toBe('ORDERNOTEXIST');
      }
      expect(emu.state.orders.size).toBe(0);
    } finally {
      agent.destroy();
    }
  });

  it('bad sign is refused for both sign types, and lower-case sign_type is unsupported', async () => {
    for (const signType of ['MD5', 'HMAC-SHA256'] as const) {
      const xml = signed(orderParams(), signType, 'x'.repeat(32));
      const res = await postXml(`${emu.httpUrl}/pay/unifiedorder`, xml);
      expect(res.fields).toEqual({ return_code: 'FAIL', return_msg: '签名错误' });
    }
    const params = { appid: M.appId, mch_id: M.mchId, nonce_str: 'n1', sign_type: 'md5', out_trade_no: 'X1' };
    const res = await postXml(`${emu.httpUrl}/pay/orderquery`, buildXml({ ...params, sign: sign(params, M.apiKey) }));
    expect(res.fields).toEqual({ return_code: 'FAIL', return_msg: '签名类型不支持' });
  });

  it('unknown mch_id, unknown appid and appid not bound to the mch_id are refused', async () => {
    await emu.stop();
    const other = {
      appId: 'wx1111111111111111',
      appSecret: 's',
      mchId: '1900000109',
      apiKey: 'k'.repeat(32),
      oauthDomains: [],
    };
    emu = await startEmulator({ merchants: [M, other] });
    const unknownMch = await postXml(
      `${emu.httpUrl}/pay/orderquery`,
      buildXml({ appid: M.appId, mch_id: '999', nonce_str: 'n', sign: 'X' }),
    );
    expect(unknownMch.fields.return_code).toBe('FAIL');
    expect(unknownMch.fields.return_msg).toContain('MCHID_NOT_EXIST');
    expect(
      (await payApi(emu, '/pay/orderquery', { appid: 'wx9999999999999999', out_trade_no: 'A1' })).fields.err_code,
    ).toBe('APPID_NOT_EXIST');
    expect((await payApi(emu, '/pay/orderquery', { appid: other.appId, out_trade_no: 'A1' })).fields.err_code).toBe(
      'APPID_MCHID_NOT_MATCH',
    );
  });
});

describe('unifiedorder', () => {
  it('JSAPI success: signed with the request sign type over every field, fresh nonce, prepay_id format', async () => {
    for (const signType of ['MD5', 'HMAC-SHA256'] as const) {
      const res = await payApi(emu, '/pay/unifiedorder', orderParams({ device_info: 'WEB' }), signType);
      expect(res.fields).toMatchObject({
        return_code: 'SUCCESS',
        result_code: 'SUCCESS',
        trade_type: 'JSAPI',
        appid: M.appId,
        mch_id: M.mchId,
        device_info: 'WEB',
      });
      expect(res.fields.prepay_id).toMatch(/^wx[A-Za-z0-9]{34}$/);
      expect(res.fields.sign).toHaveLength(signType === 'MD5' ? 32 : 64);
      expect(verify(res.fields, M.apiKey, signType)).toBe(true);
      expect(res.fields.nonce_str).toMatch(/^[A-Za-z0-9]{32}$/);
    }
  });

  it('NATIVE returns a code_url and requires product_id', async () => {
    const res = await payApi(
      emu,
      '/pay/unifiedorder',
      orderParams({ trade_type: 'NATIVE', openid: undefined, product_id: 'SKU1' }),
    );
    expect(res.fields.code_url).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=[A-Za-z0-9]{7}$/);
    const missing = await payApi(emu, '/pay/unifiedorder', orderParams({ trade_type: 'NATIVE', openid: undefined }));
    expect(missing.fields).toMatchObject({ result_code: 'FAIL', err_code: 'LACK_PARAMS' });
  });

  it('rejects missing fields, bad formats, foreign/unknown openids and bad notify_url', async () => {
    const missing = await payApi(emu, '/pay/unifiedorder', orderParams({ body: undefined }));
    expect(missing.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'LACK_PARAMS',
      err_code_des: '缺少参数body',
    });
    expect(verify(missing.fields, M.apiKey, 'MD5')).toBe(true);
    expect((await payApi(emu, '/pay/unifiedorder', orderParams({ openid: undefined }))).fields.err_code).toBe(
      'LACK_PARAMS',
    );
    const bad: Array<[Record<string, string | number>, string]> = [
      [{ out_trade_no: 'has space' }, 'out_trade_no参数格式错误'],
      [{ out_trade_no: 'x'.repeat(33) }, 'out_trade_no参数格式错误'],
      [{ body: '长'.repeat(128) }, 'body参数长度有误'],
      [{ total_fee: 0 }, 'invalid total_fee'],
      [{ total_fee: '1.5' }, 'invalid total_fee'],
      [{ total_fee: '0.01' }, 'invalid total_fee'],
      [{ total_fee: '-1' }, 'invalid total_fee'],
      [{ nonce_str: 'n'.repeat(33) }, ''],
      [{ notify_url: 'https://shop.example.com/notify?x=1' }, 'notify_url不能携带参数'],
      [{ notify_url: '/relative' }, 'notify_url必须是完整的http(s)地址'],
      [{ openid: openidFor('wx2421b1c4370ec43b', 'zhangsan') }, 'invalid openid'],
      [{ spbill_create_ip: 'not-an-ip' }, 'invalid spbill_create_ip'],
      [{ time_expire: '20000101000000' }, 'time_expire时间过短，刷卡至少1分钟，其他5分钟'],
      [{ limit_pay: 'no_debit' }, 'limit_pay参数格式错误'],
      [{ receipt: 'N' }, 'receipt参数格式错误'],
      [{ goods_tag: 'g'.repeat(33) }, 'goods_tag参数长度有误'],
      [{ scene_info: 's'.repeat(257) }, 'scene_info参数长度有误'],
    ];
    for (const [override, message] of bad) {
      const res = await payApi(emu, '/pay/unifiedorder', orderParams(override));
      if (message) expect(res.fields, JSON.stringify(override)).toEqual({ return_code: 'FAIL', return_msg: message });
      else expect(res.fields.err_code).toBe('INVALID_REQUEST');
    }
    const legal = await payApi(
      emu,
      '/pay/unifiedorder',
      orderParams({ limit_pay: 'no_credit', receipt: 'Y', goods_tag: 'g'.repeat(32) }),
    );
    expect(legal.fields.result_code).toBe('SUCCESS');
  });

  it('counts String(N) lengths in UTF-8 bytes: a CJK character is 3, an emoji 4', async () => {
    // 43 CJK characters are 129 bytes, over body/attach's String(127); 32 emoji are 128 bytes.
    for (const override of [{ body: '汉'.repeat(43) }, { body: '😀'.repeat(32) }, { attach: '汉'.repeat(43) }]) {
      const res = await payApi(emu, '/pay/unifiedorder', orderParams(override));
      expect(res.fields, JSON.stringify(override)).toEqual({
        return_code: 'FAIL',
        return_msg: `${Object.keys(override)[0]}参数长度有误`,
      });
    }
    // 99 characters, 259 bytes: over notify_url's String(256).
    const longUrl = await payApi(
      emu,
      '/pay/unifiedorder',
      orderParams({ notify_url: `http://127.0.0.1:9/${'通'.repeat(80)}` }),
    );
    expect(longUrl.fields).toEqual({ return_code: 'FAIL', return_msg: 'notify_url长度不能超过256' });
    const exactly127 = await payApi(
      emu,
      '/pay/unifiedorder',
      orderParams({ body: `${'汉'.repeat(42)}a`, attach: `${'汉'.repeat(42)}a` }),
    );
    expect(exactly127.fields.result_code).toBe('SUCCESS');
  });

  it('an openid issued for another configured appid → appid and openid not match', async () => {
    await emu.stop();
    const other = { appId: 'wx2222222222222222', appSecret: 's', mchId: M.mchId, apiKey: M.apiKey, oauthDomains: [] };
    emu = await startEmulator({ merchants: [M, other] });
    const res = await payApi(emu, '/pay/unifiedorder', orderParams({ openid: openidFor(other.appId, 'zhangsan') }));
    expect(res.fields).toEqual({ return_code: 'FAIL', return_msg: 'appid and openid not match' });
  });

  it('duplicate out_trade_no: same params → same prepay_id; different → 201 商户订单号重复; paid → ORDERPAID', async () => {
    const params = orderParams();
    const first = await payApi(emu, '/pay/unifiedorder', params);
    const again = await payApi(emu, '/pay/unifiedorder', { ...params, spbill_create_ip: '10.0.0.2' });
    expect(again.fields.prepay_id).toBe(first.fields.prepay_id);
    const changed = await payApi(emu, '/pay/unifiedorder', { ...params, total_fee: 999 });
    expect(changed.fields).toMatchObject({
      return_code: 'SUCCESS',
      result_code: 'FAIL',
      err_code: 'INVALID_REQUEST',
      err_code_des: '201 商户订单号重复',
    });
    await emu.pay(first.fields.prepay_id!);
    expect((await payApi(emu, '/pay/unifiedorder', params)).fields.err_code).toBe('ORDERPAID');
  });

  it('re-entry after the prepay_id expired (2 h) mints a new one', async () => {
    const params = orderParams();
    const first = await payApi(emu, '/pay/unifiedorder', params);
    const order = [...emu.state.orders.values()][0]!;
    emu.state.prepays.get(order.prepayId)!.issuedAt -= 2 * 3600_000;
    const again = await payApi(emu, '/pay/unifiedorder', params);
    expect(again.fields.prepay_id).not.toBe(first.fields.prepay_id);
  });
});

describe('orderquery and closeorder', () => {
  it('NOTPAY → SUCCESS with the transaction block', async () => {
    const params = orderParams({ attach: 'cart=42' });
    const order = await payApi(emu, '/pay/unifiedorder', params);
    const before = await payApi(emu, '/pay/orderquery', { out_trade_no: params.out_trade_no });
    expect(before.fields).toMatchObject({
      trade_state: 'NOTPAY',
      out_trade_no: params.out_trade_no,
      attach: 'cart=42',
    });
    expect(before.fields.transaction_id).toBeUndefined();
    await emu.pay(order.fields.prepay_id!);
    const after = await payApi(emu, '/pay/orderquery', { out_trade_no: params.out_trade_no }, 'HMAC-SHA256');
    expect(after.fields).toMatchObject({
      trade_state: 'SUCCESS',
      total_fee: '101',
      cash_fee: '101',
      openid: OPENID_OF_ZHANGSAN,
      bank_type: 'CFT',
      attach: 'cart=42',
    });
    expect(after.fields.transaction_id).toMatch(/^4200\d{24}$/);
    expect(after.fields.time_end).toMatch(/^\d{14}$/);
    expect(verify(after.fields, M.apiKey, 'HMAC-SHA256')).toBe(true);
    const byTxn = await payApi(emu, '/pay/orderquery', { transaction_id: after.fields.transaction_id });
    expect(byTxn.fields.out_trade_no).toBe(params.out_trade_no);
    expect((await payApi(emu, '/pay/orderquery', { out_trade_no: 'nope' })).fields.err_code).toBe('ORDERNOTEXIST');
  });

  it('close: NOTPAY → CLOSED; twice → ORDERCLOSED; re-order → ORDERCLOSED; paid → ORDERPAID', async () => {
    const params = orderParams();
    await payApi(emu, '/pay/unifiedorder', params);
    const closed = await payApi(emu, '/pay/closeorder', { out_trade_no: params.out_trade_no });
    expect(closed.fields).toMatchObject({ return_code: 'SUCCESS', result_code: 'SUCCESS' });
    expect((await payApi(emu, '/pay/orderquery', { out_trade_no: params.out_trade_no })).fields.trade_state).toBe(
      'CLOSED',
    );
    expect((await payApi(emu, '/pay/closeorder', { out_trade_no: params.out_trade_no })).fields).toMatchObject({
      result_code: 'FAIL',
      err_code: 'ORDERCLOSED',
    });
    expect((await payApi(emu, '/pay/unifiedorder', params)).fields.err_code).toBe('ORDERCLOSED');
    await expect(emu.pay(params.out_trade_no as string)).rejects.toThrow('已关闭');

    const paid = orderParams();
    const order = await payApi(emu, '/pay/unifiedorder', paid);
    await emu.pay(order.fields.prepay_id!);
    expect((await payApi(emu, '/pay/closeorder', { out_trade_no: paid.out_trade_no })).fields.err_code).toBe(
      'ORDERPAID',
    );
  });
});

const OPENID_OF_ZHANGSAN = openidFor(M.appId, 'zhangsan');

/** POST over a shared keep-alive agent, with Content-Length or chunked. */
function keepAlivePost(agent: Agent, url: string, body: Buffer, chunked: boolean) {
  return new Promise<{ status: number; contentType: string | undefined; text: string; reusedSocket: boolean }>(
    (resolve, reject) => {
      const headers: Record<string, string> = {
        'Content-Type': 'text/xml',
        ...(chunked ? {} : { 'Content-Length': String(body.length) }),
      };
      const req = request(url, { method: 'POST', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: res.headers['content-type'],
            text: Buffer.concat(chunks).toString('utf8'),
            reusedSocket: req.reusedSocket,
          }),
        );
      });
      req.setTimeout(30_000, () => req.destroy(new Error('no reply within 30 s')));
      req.on('error', reject);
      if (chunked) {
        for (let at = 0; at < body.length; at += 16 * 1024) req.write(body.subarray(at, at + 16 * 1024));
        req.end();
      } else {
        req.end(body);
      }
    },
  );
}
