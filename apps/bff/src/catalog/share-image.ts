/**
 * The PNG of a product picture for WeChat's share card, which shows SVG unreliably. WeChat shows the
 * card's picture as a square thumbnail, so the PNG is the picture's centre square (the pictures keep
 * the product there).
 */
import { Resvg, renderAsync } from '@resvg/resvg-js';

/** Width and height of the share PNG: sharp on a phone's chat list, small enough to fetch at once. */
export const SHARE_IMAGE_PX = 300;

/** Renders the centre square of `svg` to a SHARE_IMAGE_PX PNG, off the event loop (resvg's worker threads). */
export async function renderSharePng(svg: Buffer): Promise<Buffer> {
  const { width, height } = new Resvg(svg); // parses only; throws on SVG resvg cannot read
  const side = Math.min(width, height);
  const square =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SHARE_IMAGE_PX}" height="${SHARE_IMAGE_PX}" ` +
    `viewBox="${(width - side) / 2} ${(height - side) / 2} ${side} ${side}">` +
    `<image width="${width}" height="${height}" href="data:image/svg+xml;base64,${svg.toString('base64')}"/></svg>`;
  const rendered = await renderAsync(square, { fitTo: { mode: 'original' } });
  return rendered.asPng();
}
