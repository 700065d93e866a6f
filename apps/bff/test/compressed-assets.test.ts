/** The storefront reaches phones compressed: the build's .br/.gz siblings are served by Accept-Encoding. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './helpers/stack';

const SCRIPT = Buffer.from(`console.log(${JSON.stringify('商城'.repeat(2000))});`);

/** A built storefront as `vite build` leaves it: each asset beside its brotli and gzip copies. */
function compressedDist(): string {
  const dist = mkdtempSync(path.join(tmpdir(), 'storefront-dist-'));
  mkdirSync(path.join(dist, 'assets'));
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>微信小店</title><div id="app"></div>');
  writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), SCRIPT);
  writeFileSync(path.join(dist, 'assets', 'index-abc123.js.br'), brotliCompressSync(SCRIPT));
  writeFileSync(path.join(dist, 'assets', 'index-abc123.js.gz'), gzipSync(SCRIPT));
  return dist;
}

/** Raw GET (fetch would decompress and hide what went over the wire). */
function get(url: string, acceptEncoding?: string): Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding };
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('compressed storefront assets', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ name: 'pglite' }, { STOREFRONT_DIST: compressedDist() });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const asset = () => `${stack.bff.url}/assets/index-abc123.js`;

  it('sends brotli to a browser that accepts it, with Vary and the year-long immutable cache', async () => {
    const { headers, body } = await get(asset(), 'gzip, deflate, br');
    expect(headers['content-encoding']).toBe('br');
    expect(headers['content-type']).toMatch(/javascript/);
    expect(headers.vary).toMatch(/Accept-Encoding/i);
    expect(headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(body.length).toBeLessThan(SCRIPT.length / 4);
    expect(brotliDecompressSync(body)).toEqual(SCRIPT);
  });

  it('sends gzip where brotli is not accepted, and the plain file to a client that asks for neither', async () => {
    const gzipped = await get(asset(), 'gzip');
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.body)).toEqual(SCRIPT);

    const plain = await get(asset());
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toMatch(/Accept-Encoding/i);
    expect(plain.body).toEqual(SCRIPT);
  });
});
