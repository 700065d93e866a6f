/**
 * A product's main picture at URLs others can fetch: /image (the picture as it is) and /share.png (WeChat's share
 * card, which shows SVG unreliably: a PNG rendered at start-up).
 */
import { describe, expect, it } from 'vitest';
import { routes } from '@wxpay-shop/contract';
import { decodeDataImage } from '../src/catalog/image';
import { backends } from './helpers/backends';
import { useStack } from './helpers/stack';

describe('decodeDataImage', () => {
  it('decodes percent-encoded and base64 pictures, keeps the media type parameters', () => {
    expect(decodeDataImage('data:image/svg+xml;charset=utf-8,%3Csvg%2F%3E')).toEqual({
      contentType: 'image/svg+xml;charset=utf-8',
      body: Buffer.from('<svg/>'),
    });
    expect(decodeDataImage(`data:image/png;base64,${Buffer.from([0x89, 0x50]).toString('base64')}`)?.body).toEqual(
      Buffer.from([0x89, 0x50]),
    );
  });
  it('refuses anything that is not an inline picture', () => {
    for (const url of [
      'https://img.example/a.png',
      'data:text/html,<script>alert(1)</script>',
      'data:image/svg+xml,%E0%A4%A',
      'javascript:1',
    ]) {
      expect(decodeDataImage(url)).toBeNull();
    }
  });
});

describe.each(backends)('product pictures over HTTP ($name)', (backend) => {
  const { stack, db } = useStack(backend);

  it('serves the SVG picture with its type, cacheable, under the nothing-loads CSP', async () => {
    const res = await fetch(`${stack.bff.url}${routes.productImage('green-tea')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml;charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(await res.text()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it('a picture at an http(s) URL is a redirect there; an unknown product is 404', async () => {
    await db()
      .updateTable('products')
      .set({ image_url: 'https://img.example.com/mug.jpg' })
      .where('id', '=', 'mug')
      .execute();
    const res = await fetch(`${stack.bff.url}${routes.productImage('mug')}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('https://img.example.com/mug.jpg');
    expect((await fetch(`${stack.bff.url}${routes.productImage('nope')}`)).status).toBe(404);
  });

  it('share.png is a PNG of the main picture: signature, 300×300, small, cacheable, nothing-loads CSP', async () => {
    const res = await fetch(`${stack.bff.url}${routes.productShareImage('umbrella')}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    const png = Buffer.from(await res.arrayBuffer());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // IHDR is the first chunk: width and height as big-endian 32-bit integers at bytes 16 and 20.
    expect([png.subarray(12, 16).toString('latin1'), png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([
      'IHDR',
      300,
      300,
    ]);
    expect(png.length).toBeGreaterThan(2_000); // a drawing, not an empty square
    expect(png.length).toBeLessThan(64 * 1024);
  });

  it('share.png of a picture that is not ours is what /image serves; an unknown product is 404', async () => {
    await db()
      .updateTable('products')
      .set({ image_url: 'https://img.example.com/teapot.jpg' })
      .where('id', '=', 'teapot')
      .execute();
    const res = await fetch(`${stack.bff.url}${routes.productShareImage('teapot')}`, { redirect: 'manual' });
    expect([res.status, res.headers.get('location')]).toEqual([302, routes.productImage('teapot')]);
    expect((await fetch(`${stack.bff.url}${routes.productShareImage('nope')}`)).status).toBe(404);
  });
});
