/** /jweixin.js, the JS-SDK stand-in: wx.config checked as WeChat does (iOS landing-URL rule), openAddress, share cards. */
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { buildJssdkConfig } from '@wxpay-shop/wechat';
import type { Emulator } from '../src/index';
import { FakeElement } from './helpers/fake-dom';
import { browserFetch, eventually, M, startEmulator } from './helpers/emulator';

const IOS_UA =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50';
const ANDROID_UA =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.50';
const SHOP = 'http://127.0.0.1:5173';
const LANDING = `${SHOP}/products/green-tea?from=singlemessage`;
const CURRENT = `${SHOP}/checkout`;

type Callbacks = Record<string, (res: Record<string, unknown>) => void>;
interface Wx {
  config(c: object): void;
  ready(fn: () => void): void;
  error(fn: (res: { errMsg: string }) => void): void;
  openAddress(opts: Callbacks): void;
  updateAppMessageShareData(opts: object): void;
  updateTimelineShareData(opts: object): void;
}

let emu: Emulator;
let jsapiTicket: string;
beforeAll(async () => {
  emu = await startEmulator({ allowedOrigins: [SHOP] });
});
afterAll(() => emu.stop());
beforeEach(async () => {
  await fetch(`${emu.httpUrl}/__emulator/reset`, { method: 'POST' });
  const token = (await (
    await fetch(`${emu.httpUrl}/cgi-bin/stable_token`, {
      method: 'POST',
      body: JSON.stringify({ grant_type: 'client_credential', appid: M.appId, secret: M.appSecret }),
    })
  ).json()) as { access_token: string };
  jsapiTicket = (
    (await (
      await fetch(`${emu.httpUrl}/cgi-bin/ticket/getticket?access_token=${token.access_token}&type=jsapi`)
    ).json()) as { ticket: string }
  ).ticket;
});

/** A page that landed on LANDING and then moved to CURRENT with history.pushState, running /jweixin.js. */
async function page(userAgent: string) {
  const script = await (await fetch(`${emu.httpUrl}/jweixin.js`)).text();
  const document = Object.assign(new EventTarget(), {
    readyState: 'complete',
    body: new FakeElement('body'),
    createElement: (tag: string) => new FakeElement(tag),
  });
  const window: Record<string, unknown> = {};
  const performance = {
    getEntriesByType: (type: string) => (type === 'navigation' ? [{ name: `${LANDING}#top` }] : []),
  };
  const location = { href: `${CURRENT}#address` };
  runInNewContext(script, {
    window,
    document,
    performance,
    location,
    navigator: { userAgent },
    fetch: browserFetch(SHOP),
    setTimeout,
    JSON,
    Object,
    Array,
  });
  const wx = window.wx as Wx;
  /** wx.config signed for `url`: the verdict (ready, or error's errMsg). */
  const configure = (
    url: string,
    jsApiList = ['openAddress', 'updateAppMessageShareData', 'updateTimelineShareData'],
    appId = M.appId,
  ) =>
    new Promise<string>((resolve) => {
      wx.config({ ...buildJssdkConfig({ appId: M.appId, jsapiTicket, url }), appId, jsApiList });
      wx.ready(() => resolve('ready'));
      wx.error((res) => resolve(res.errMsg));
    });
  const call = (api: 'openAddress' | 'updateAppMessageShareData' | 'updateTimelineShareData', opts: object = {}) =>
    new Promise<{ kind: string; res: Record<string, unknown> }>((resolve) => {
      const done = (kind: string) => (res: Record<string, unknown>) => resolve({ kind, res });
      wx[api]({ ...opts, success: done('success'), fail: done('fail'), cancel: done('cancel') });
    });
  return { wx, document, configure, call };
}

const state = async () =>
  (
    (await (await fetch(`${emu.httpUrl}/__emulator/state`)).json()) as {
      jssdk: { configs: { ok: number; failed: number }; shares: Record<string, unknown>[] };
    }
  ).jssdk;

describe('wx.config', () => {
  it('iOS validates the landing URL: signed for it → ready; signed for the current URL → invalid signature', async () => {
    expect(await (await page(IOS_UA)).configure(LANDING)).toBe('ready');
    expect(await (await page(IOS_UA)).configure(CURRENT)).toBe('config:invalid signature');
  });

  it('Android validates the current URL: signed for it → ready; signed for the landing URL → invalid signature', async () => {
    expect(await (await page(ANDROID_UA)).configure(CURRENT)).toBe('ready');
    expect(await (await page(ANDROID_UA)).configure(LANDING)).toBe('config:invalid signature');
    expect(await state()).toMatchObject({ configs: { ok: 1, failed: 1 } });
  });

  it('a domain that is not a JS safe domain → config:invalid url domain; a ticket of no one → invalid signature', async () => {
    await emu.stop();
    emu = await startEmulator({ allowedOrigins: [SHOP], merchants: [{ ...M, jsSafeDomains: ['shop.example'] }] });
    onTestFinished(async () => {
      await emu.stop();
      emu = await startEmulator({ allowedOrigins: [SHOP] });
    });
    const res = await fetch(`${emu.httpUrl}/__jssdk/config`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        ...buildJssdkConfig({ appId: M.appId, jsapiTicket: 'made-up', url: 'https://shop.example/' }),
        url: 'https://shop.example/',
      }),
    });
    expect(await res.json()).toEqual({ ok: false, errMsg: 'config:invalid signature' });
    expect(await (await page(ANDROID_UA)).configure(CURRENT)).toBe('config:invalid url domain');
  });

  it('calls before config is ready, or not in jsApiList, fail as WeChat words them', async () => {
    const p = await page(ANDROID_UA);
    expect(await p.call('openAddress')).toEqual({
      kind: 'fail',
      res: { errMsg: 'openAddress:the permission value is offline verifying' },
    });
    expect(await p.configure(CURRENT, ['openAddress'])).toBe('ready');
    expect(
      (await p.call('updateTimelineShareData', { title: 't', link: `${SHOP}/`, imgUrl: `${SHOP}/a.png` })).res.errMsg,
    ).toBe('updateTimelineShareData:permission denied');
  });
});

describe('wx.openAddress', () => {
  it('shows the test addresses (text only); picking one answers openAddress:ok with WeChat field names', async () => {
    const p = await page(IOS_UA);
    expect(await p.configure(LANDING)).toBe('ready');
    const result = p.call('openAddress');
    const sheet = await eventually(() => p.document.body.find('wx-address-sheet'));
    expect(sheet.find('wx-address-2')!.children[1]!.textContent).toContain('<img src=x onerror=alert(1)>');
    sheet.find('wx-address-0')!.click();
    expect(await result).toEqual({
      kind: 'success',
      res: {
        errMsg: 'openAddress:ok',
        userName: '张三',
        postalCode: '510620',
        provinceName: '广东省',
        cityName: '广州市',
        countryName: '天河区',
        detailInfo: '天河路 385 号 太古汇 1 座 2001 室',
        nationalCode: '440106',
        telNumber: '13800138000',
      },
    });
    expect(p.document.body.children).toHaveLength(0);
  });

  it('取消 → openAddress:cancel', async () => {
    const p = await page(ANDROID_UA);
    expect(await p.configure(CURRENT)).toBe('ready');
    const result = p.call('openAddress');
    (await eventually(() => p.document.body.find('wx-address-cancel'))).click();
    expect(await result).toEqual({ kind: 'cancel', res: { errMsg: 'openAddress:cancel' } });
  });
});

describe('share cards', () => {
  it('are recorded in /__emulator/state; a link off the JS safe domains fails and is not recorded', async () => {
    const p = await page(ANDROID_UA);
    expect(await p.configure(CURRENT)).toBe('ready');
    const card = {
      title: '明前龙井',
      desc: '¥9.90 · 清香',
      link: `${SHOP}/products/green-tea`,
      imgUrl: `${SHOP}/img/tea.svg`,
    };
    expect((await p.call('updateAppMessageShareData', card)).res.errMsg).toBe('updateAppMessageShareData:ok');
    expect((await p.call('updateTimelineShareData', { ...card, desc: undefined })).res.errMsg).toBe(
      'updateTimelineShareData:ok',
    );
    const refused = await p.call('updateAppMessageShareData', { ...card, link: 'https://evil.example/' });
    expect(refused.kind).toBe('fail');
    expect((await state()).shares).toEqual([
      { kind: 'appMessage', ...card, pageUrl: `${CURRENT}#address`, at: expect.any(Number) },
      {
        kind: 'timeline',
        title: card.title,
        link: card.link,
        imgUrl: card.imgUrl,
        pageUrl: `${CURRENT}#address`,
        at: expect.any(Number),
      },
    ]);
  });

  it('another website cannot record cards or check configs (403 without CORS)', async () => {
    const res = await fetch(`${emu.httpUrl}/__jssdk/share`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
      body: JSON.stringify({ appId: M.appId, link: `${SHOP}/`, title: 'x' }),
    });
    expect(res.status).toBe(403);
    expect((await state()).shares).toEqual([]);
  });
});
