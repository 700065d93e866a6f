import type { Plugin } from 'vite';

/**
 * Whether a page needs the emulator's WeixinJSBridge: not inside real WeChat (MicroMessenger
 * in the user agent), and not when a WeixinJSBridge is already there, which would be replaced.
 * It runs in the page (the loader embeds its source), so it must stay self-contained.
 */
export function needsEmulatorBridge(userAgent: string, hasBridge: boolean): boolean {
  return !/MicroMessenger/i.test(userAgent) && !hasBridge;
}

/**
 * Classic inline script that writes the bridge's <script> only where it is needed. A
 * parser-inserted script (document.write) runs before the deferred app module script, as a
 * plain <script src> would; a script appended with createElement would not be ordered.
 */
export function bridgeLoader(src: string): string {
  // `<` escaped so the written tag cannot close the inline script early.
  const tag = JSON.stringify(`<script src="${src.replaceAll('"', '&quot;')}"></script>`).replaceAll('<', '\\u003c');
  return `if ((${needsEmulatorBridge.toString()})(navigator.userAgent, typeof WeixinJSBridge !== 'undefined')) document.write(${tag});`;
}

/**
 * Dev server only: loads the WeChat emulator's WeixinJSBridge before the app so the
 * JSAPI pay sheet works in any browser, but never inside real WeChat, whose own bridge
 * must stay. `apply: 'serve'` keeps it out of production builds.
 */
export function emulatorBridgePlugin(emulatorPublicUrl: string): Plugin {
  const src = `${emulatorPublicUrl.replace(/\/+$/, '')}/bridge.js`;
  return {
    name: 'wxpay-shop:emulator-bridge',
    apply: 'serve',
    transformIndexHtml: {
      order: 'pre',
      // In <head>, ahead of the deferred app module script.
      handler: () => [{ tag: 'script', children: bridgeLoader(src), injectTo: 'head-prepend' }],
    },
  };
}
