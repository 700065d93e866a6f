/**
 * Loads WeChat's JS-SDK inside WeChat only and configures it with the BFF's signature. A refused
 * `wx.config` is retried once with a fresh signature; after that the page carries on without JS-SDK
 * features (null), so checkout still works with the typed address form.
 */
import { routes, JsConfigSchema, type JsConfig } from '@wxpay-shop/contract';
import { apiRequest } from '../api/http';
import { isWeChatBrowser } from './environment';
import type { Wx } from './jssdk-types';
import { LANDING_URL, signatureUrl } from './jssdk-url';

/** WeChat's official script (allowed by the storefront's CSP); dev loads the emulator's stand-in instead. */
export const OFFICIAL_JSSDK_URL = 'https://res.wx.qq.com/open/js/jweixin-1.6.0.js';
/** Every JS-SDK API the shop calls, asked for in one wx.config. */
export const JS_API_LIST = ['openAddress', 'updateAppMessageShareData', 'updateTimelineShareData'];
/** A script load or wx.config that neither succeeds nor fails within this time counts as failed. */
export const CONFIG_TIMEOUT_MS = 10_000;

declare global {
  interface Window {
    /** WeChat's JS-SDK, once its script ran (or the emulator's stand-in, injected by tests). */
    wx?: Wx;
  }
}

export interface JssdkDeps {
  userAgent: string;
  landingUrl: string;
  currentUrl(): string;
  loadScript(): Promise<Wx>;
  fetchConfig(url: string): Promise<JsConfig>;
}

function scriptUrl(): string {
  return import.meta.env.DEV
    ? `${import.meta.env.VITE_EMULATOR_PUBLIC_URL.replace(/\/+$/, '')}/jweixin.js`
    : OFFICIAL_JSSDK_URL;
}

let scriptLoad: Promise<Wx> | null = null;

/** `window.wx` as is (a test or WeChat put it there), else from one <script> for the whole app. */
function loadScript(): Promise<Wx> {
  if (window.wx) return Promise.resolve(window.wx);
  scriptLoad ??= new Promise<Wx>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = scriptUrl();
    script.async = true;
    script.onload = () => (window.wx ? resolve(window.wx) : reject(new Error('JS-SDK script defined no wx')));
    script.onerror = () => {
      scriptLoad = null;
      reject(new Error('JS-SDK script failed to load'));
    };
    document.head.appendChild(script);
  });
  return scriptLoad;
}

const defaultDeps = (): JssdkDeps => ({
  userAgent: navigator.userAgent,
  landingUrl: LANDING_URL,
  currentUrl: () => location.href,
  loadScript,
  fetchConfig: (url) => apiRequest(routes.jsConfig(url), JsConfigSchema),
});

/** One configuration per signed URL: the landing URL on iOS (so once), each page's URL elsewhere. */
const configured = new Map<string, Promise<Wx | null>>();

/** The configured `wx`, or null outside WeChat or when WeChat refused twice. Never throws. */
export function configureJssdk(deps: JssdkDeps = defaultDeps()): Promise<Wx | null> {
  if (!isWeChatBrowser(deps.userAgent)) return Promise.resolve(null);
  const url = signatureUrl({ userAgent: deps.userAgent, landingUrl: deps.landingUrl, currentUrl: deps.currentUrl() });
  let pending = configured.get(url);
  if (!pending) {
    pending = configure(deps, url);
    configured.set(url, pending);
    // A failure is not remembered: the next page (or visit) tries again.
    void pending.then((wx) => wx ?? configured.delete(url));
  }
  return pending;
}

async function configure(deps: JssdkDeps, url: string): Promise<Wx | null> {
  let wx: Wx;
  try {
    // A script request can hang on a poor connection: the page must not wait on it for ever.
    wx = await Promise.race([
      deps.loadScript(),
      new Promise<never>((_, reject) =>
        setTimeout(() => reject(new Error('JS-SDK script timed out')), CONFIG_TIMEOUT_MS),
      ),
    ]);
  } catch {
    return null;
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // A fresh signature each time: the first may have been refused for a stale ticket.
      const config = await deps.fetchConfig(url);
      if (await applyConfig(wx, config)) return wx;
    } catch {
      // No signature (BFF down, 502): as good as refused.
    }
  }
  return null;
}

/** wx.config, then true on wx.ready, false on wx.error or silence. */
function applyConfig(wx: Wx, config: JsConfig): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), CONFIG_TIMEOUT_MS);
    const settle = (ok: boolean) => {
      clearTimeout(timer);
      resolve(ok);
    };
    // config first: handlers registered after it see this configuration's outcome, not an earlier one's.
    wx.config({ ...config, jsApiList: JS_API_LIST });
    wx.ready(() => settle(true));
    wx.error(() => settle(false));
  });
}

/** Tests only: forget configurations made so far. */
export function resetJssdkForTests(): void {
  configured.clear();
  scriptLoad = null;
}
