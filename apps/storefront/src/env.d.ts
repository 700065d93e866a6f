/// <reference types="vite/client" />
import type { WeixinJSBridge } from './wechat/bridge-types';

declare global {
  /** Injected by vite.config.ts `define`; meaningful only in dev. */
  const __EMULATOR_PUBLIC_URL__: string;

  interface Window {
    /** Exists only inside WeChat's in-app browser (or with the emulator's bridge.js). */
    WeixinJSBridge?: WeixinJSBridge;
  }

  interface Document {
    /** Old IE-style event API still used by very old WeChat WebViews. */
    attachEvent?: (event: string, listener: () => void) => void;
    detachEvent?: (event: string, listener: () => void) => void;
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}
