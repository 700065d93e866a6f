/** How shoppers reach the shop's 客服: the hotline 我的 dials, and the hours it is answered. */

/** Shown as is; a tel: link accepts the dashes as visual separators (RFC 3966). */
export const SERVICE_PHONE = '400-800-8888';
export const SERVICE_HOURS = '每天 9:00–21:00';
