/** The share card of a product page (title, price in the description, absolute PNG picture, clean link). Pure. */
import { routes, type Product } from '@wxpay-shop/contract';
import { formatFen } from '../lib/money';
import type { WxShareCard } from './jssdk-types';
import { shareableLink } from './jssdk-url';

/** WeChat cuts longer descriptions anyway; a short one reads better in the chat. */
const MAX_DESC_CHARS = 60;

export function productShareCard(product: Product, pageUrl: string): WxShareCard {
  const desc = `${formatFen(product.priceFen)} · ${product.description}`;
  return {
    title: product.name,
    desc: desc.length > MAX_DESC_CHARS ? `${desc.slice(0, MAX_DESC_CHARS - 1)}…` : desc,
    link: shareableLink(pageUrl),
    // WeChat shows SVG cards unreliably: the BFF answers a PNG of the main picture (or redirects to a raster one).
    imgUrl: new URL(routes.productShareImage(product.id), pageUrl).href,
  };
}
