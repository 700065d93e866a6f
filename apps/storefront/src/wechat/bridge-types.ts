/** What WeixinJSBridge passes to invoke callbacks (other keys vary by client version). */
export interface WeixinBridgeResponse {
  err_msg?: string;
  err_desc?: string;
  /** A few clients spell it camel-case. */
  errMsg?: string;
  [key: string]: unknown;
}

export interface WeixinJSBridge {
  invoke(api: string, params: Record<string, unknown>, callback: (res: WeixinBridgeResponse) => void): void;
  /** Set by the dev WeChat emulator's bridge.js. */
  __emulator?: boolean;
}
