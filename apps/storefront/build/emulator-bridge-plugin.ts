import type { Plugin } from 'vite';

/**
 * Dev server only: loads the WeChat emulator's WeixinJSBridge before the app so the
 * JSAPI pay sheet works in any browser. `apply: 'serve'` keeps it out of production builds.
 */
export function emulatorBridgePlugin(emulatorPublicUrl: string): Plugin {
  const src = `${emulatorPublicUrl.replace(/\/+$/, '')}/bridge.js`;
  return {
    name: 'wxpay-shop:emulator-bridge',
    apply: 'serve',
    transformIndexHtml: {
      order: 'pre',
      // A classic (non-module) script in <head> runs before the deferred app module script.
      handler: () => [{ tag: 'script', attrs: { src }, injectTo: 'head-prepend' }],
    },
  };
}
