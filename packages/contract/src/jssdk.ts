/** The JS-SDK signature the page passes to `wx.config`. */
import * as z from 'zod/mini';
import { checked } from './checked';

/**
 * GET /api/wechat/js-config?url=…: what the page passes to `wx.config` (with its own jsApiList). `url` must be
 * the page's URL (the `#…` part is ignored) on the shop's own origin, else 400.
 */
export const JsConfigSchema = z.object({
  appId: z.string(),
  /** Seconds since the epoch. */
  timestamp: checked(z.int(), z.positive()),
  nonceStr: checked(z.string(), z.regex(/^[A-Za-z0-9]{1,32}$/)),
  signature: checked(z.string(), z.regex(/^[0-9a-f]{40}$/)),
});
export type JsConfig = z.infer<typeof JsConfigSchema>;
