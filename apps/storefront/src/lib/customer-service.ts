/** When the shop's 客服 answers; the number itself is configured on the BFF (SHOP_SERVICE_PHONE, the shop store). */
export const SERVICE_HOURS = '每天 9:00–21:00';
