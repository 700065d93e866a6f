/// <reference types="vite/client" />
import type { WeixinJSBridge } from './wechat/bridge-types';

declare global {
  interface ImportMetaEnv {
    /** The dev WeChat emulator (vite.config.ts `define`); only read when import.meta.env.DEV. */
    readonly VITE_EMULATOR_PUBLIC_URL: string;
  }

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
