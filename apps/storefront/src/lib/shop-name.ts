/**
 * The name titles end with. It starts as the BFF's default SHOP_NAME (also index.html's title), and
 * the shop store sets the configured one once the BFF has said it (App then titles the page again).
 */
export const DEFAULT_SHOP_NAME = '微信小店';

let current = DEFAULT_SHOP_NAME;

export const shopName = (): string => current;

export function setShopName(name: string): void {
  current = name;
}
