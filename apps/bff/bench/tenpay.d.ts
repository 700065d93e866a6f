/** The peer row's `tenpay` (plain JavaScript, no types): only what the bench uses. */
declare module 'tenpay' {
  import type { Middleware } from 'koa';
  export default class Payment {
    constructor(config: { appid: string; mchid: string; partnerKey: string });
    middleware(type: 'pay' | 'refund'): Middleware;
  }
}
