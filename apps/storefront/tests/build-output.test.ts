// @vitest-environment node
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORBIDDEN_STRINGS, build, findForbidden, firstLoadFiles } from '../scripts/size-report.mjs';

const outDir = mkdtempSync(path.join(tmpdir(), 'storefront-build-'));

describe('production build', () => {
  // A real Vite build is CPU-bound: ~10 s idle, 57 s and 93 s under stress-ng on 2 shared cores (2026-12-02).
  // The limit only bounds a hang; 60 s made the machine's load decide the outcome.
  beforeAll(() => {
    // build() sets NODE_ENV=production (Vitest's NODE_ENV=test would make Vite emit a development build).
    build({ outDir, env: { EMULATOR_PUBLIC_URL: 'http://localhost:4000' } });
  }, 600_000);

  afterAll(() => {
    rmSync(outDir, { recursive: true, force: true });
  });

  it('contains no emulator bridge.js reference and no secrets', () => {
    expect(FORBIDDEN_STRINGS).toEqual(
      expect.arrayContaining(['bridge.js', '192006250b4c09247ec02edce69f6a2d', 'appsecret']),
    );
    expect(findForbidden(outDir)).toEqual([]);
    const html = readFileSync(path.join(outDir, 'index.html'), 'utf8');
    const manifest = JSON.parse(readFileSync(path.join(outDir, '.vite/manifest.json'), 'utf8'));
    for (const chunk of Object.values(manifest as Record<string, { file: string }>)) {
      // The dev-only emulator link is dead code in production.
      expect(readFileSync(path.join(outDir, chunk.file), 'utf8')).not.toContain('localhost:4000');
    }
    expect(html).not.toContain('localhost:4000');
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('<title>微信小店</title>');
  });

  it('keeps qrcode out of the first-load chunks', () => {
    const manifest = JSON.parse(readFileSync(path.join(outDir, '.vite/manifest.json'), 'utf8'));
    const { js } = firstLoadFiles(manifest) as { js: string[] };
    const firstLoad = js.map((file) => readFileSync(path.join(outDir, file), 'utf8')).join('\n');
    // A marker string from the qrcode library's source.
    expect(firstLoad).not.toContain('Invalid QR Code');
    const all = Object.values(manifest as Record<string, { file: string }>).map((chunk) => chunk.file);
    expect(all.length).toBeGreaterThan(js.length);
  });

  it('keeps zod out of the first-load chunks: the first page validates without it', () => {
    const manifest = JSON.parse(readFileSync(path.join(outDir, '.vite/manifest.json'), 'utf8'));
    const { js } = firstLoadFiles(manifest) as { js: string[] };
    const read = (file: string) => readFileSync(path.join(outDir, file), 'utf8');
    // A constructor name zod's core registers, kept as a string by the minifier.
    const marker = '$ZodObject';
    expect(js.map(read).join('\n')).not.toContain(marker);
    const later = Object.values(manifest as Record<string, { file: string }>)
      .map((chunk) => chunk.file)
      .filter((file) => file.endsWith('.js') && !js.includes(file));
    expect(later.some((file) => read(file).includes(marker))).toBe(true);
  });

  it('emits brotli and gzip copies of every first-load file, byte-identical once decompressed', () => {
    const manifest = JSON.parse(readFileSync(path.join(outDir, '.vite/manifest.json'), 'utf8'));
    const { js, css } = firstLoadFiles(manifest) as { js: string[]; css: string[] };
    for (const file of [...js, ...css]) {
      const plain = readFileSync(path.join(outDir, file));
      if (plain.length < 1024) continue; // below the plugin's threshold compression does not pay
      // Buffer.equals, not toEqual: a deep equality walks 200 KB byte by byte, seconds on a loaded machine.
      expect(brotliDecompressSync(readFileSync(path.join(outDir, `${file}.br`))).equals(plain), `${file}.br`).toBe(
        true,
      );
      expect(gunzipSync(readFileSync(path.join(outDir, `${file}.gz`))).equals(plain), `${file}.gz`).toBe(true);
    }
    expect(
      existsSync(path.join(outDir, 'index.html.br')) || readFileSync(path.join(outDir, 'index.html')).length < 1024,
    ).toBe(true);
  });
});
