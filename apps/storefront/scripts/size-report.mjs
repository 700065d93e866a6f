#!/usr/bin/env node
// Production build size report: gzip size of the first-load assets (the entry chunk, its
// static imports and their CSS, per dist/.vite/manifest.json) against its budget (BUDGET_BYTES), and
// against the floor: the same stack and Vite config with nothing of the shop (bench/floor).
// Fails (exit 1) when either budget is exceeded or the build leaks dev-only or secret strings.
// Usage: node scripts/size-report.mjs [--no-build]   (--no-build reuses an existing dist/)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const distDir = path.join(appDir, 'dist');
// 76, was 70 (2026-12-02): the order pages' Vant dialogs, toasts and popups use Vue's Transition and
// Teleport, which live in Vue's runtime module and so in the entry chunk whichever chunk uses them
// (+4.5 KiB), and the order contract grew (+0.7 KiB); main stood at 69.68 KiB before them.
// 78 (same day): the delivery-address contract and the JS-SDK loader (77.17 KiB). The way back down is
// zod/mini for the contract's response schemas (issue 17); this budget only stops further growth.
// 61 (2026-12-02): the contract in zod/mini, one module per concern and free of side effects, so the entry
// holds only the schemas the catalog page uses: 77.17 → 59.59 KiB. Of the rest, zod's core is ≈ 9 KiB.
// 63 (same day): the bottom tab bar and its icons (lucide, ~1 KiB) in the shell, 61.78 KiB. Vant's Skeleton
// and PullRefresh would bring Vant's shared code into the first load (+7 KiB), so the catalog draws its
// skeleton in CSS and loads PullRefresh after the first paint.
// 54.5 (same day): the first page's answers (Me, ProductList, Shop, ApiError) checked without zod
// (src/api/first-page-answers.ts), so zod's core loads with the pages after the first: 61.78 → 53.31 KiB.
const BUDGET_BYTES = 54.5 * 1024;
/** The catalog's first load may weigh at most this many times the floor's; either budget exceeded fails the bench. */
const FLOOR_RATIO_BUDGET = 1.6;
/** Must never reach the browser bundle: the dev emulator bridge, merchant/app secrets. */
export const FORBIDDEN_STRINGS = [
  'bridge.js',
  '192006250b4c09247ec02edce69f6a2d',
  'appsecret',
  'WECHAT_PAY_API_KEY',
  'SESSION_KEYS',
];

/** Production build into dist/, or into `outDir` (emptied first); `env` adds variables; `config` another Vite config. */
export function build({ outDir, env, config } = {}) {
  const vite = path.join(appDir, 'node_modules/vite/bin/vite.js');
  const args = [vite, 'build', '--logLevel', 'error'];
  if (config) args.push('--config', config);
  if (outDir) args.push('--outDir', outDir, '--emptyOutDir');
  // NODE_ENV must be production: under a test runner Vite would otherwise emit a dev build.
  execFileSync(process.execPath, args, {
    cwd: appDir,
    stdio: 'inherit',
    env: { ...process.env, ...env, NODE_ENV: 'production' },
  });
}

export function firstLoadFiles(manifest) {
  const entryKey = Object.keys(manifest).find((key) => manifest[key].isEntry);
  if (!entryKey) throw new Error('no entry chunk in the build manifest');
  const js = new Set();
  const css = new Set();
  const visit = (key) => {
    const chunk = manifest[key];
    if (!chunk || js.has(chunk.file)) return;
    js.add(chunk.file);
    for (const file of chunk.css ?? []) css.add(file);
    for (const imported of chunk.imports ?? []) visit(imported); // static imports only
  };
  visit(entryKey);
  return { js: [...js], css: [...css] };
}

function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

export function findForbidden(dir) {
  const hits = [];
  for (const file of listFiles(dir)) {
    if (file.includes(`${path.sep}.vite${path.sep}`)) continue;
    if (/\.(br|gz)$/.test(file)) continue; // compressed copies of files checked here as plain text
    const text = readFileSync(file, 'utf8').toLowerCase();
    for (const needle of FORBIDDEN_STRINGS) {
      if (text.includes(needle.toLowerCase())) hits.push(`${path.relative(dir, file)}: ${needle}`);
    }
  }
  return hits;
}

const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KiB`;

/** gzip bytes of a build's first-load JS + CSS. */
function firstLoadGzip(dir) {
  const { js, css } = firstLoadFiles(JSON.parse(readFileSync(path.join(dir, '.vite/manifest.json'), 'utf8')));
  return [...js, ...css].reduce(
    (sum, file) => sum + gzipSync(readFileSync(path.join(dir, file)), { level: 9 }).length,
    0,
  );
}

/** Builds bench/floor into a temporary folder and returns its first-load gzip bytes. */
function floorGzip() {
  const outDir = mkdtempSync(path.join(tmpdir(), 'storefront-floor-'));
  try {
    build({ outDir, config: path.join(appDir, 'bench/floor/vite.config.ts') });
    return firstLoadGzip(outDir);
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

function report() {
  const manifestPath = path.join(distDir, '.vite/manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const { js, css } = firstLoadFiles(manifest);
  const rows = [...js, ...css].map((file) => {
    const content = readFileSync(path.join(distDir, file));
    const brFile = path.join(distDir, `${file}.br`);
    return {
      file,
      raw: content.length,
      gzip: gzipSync(content, { level: 9 }).length,
      br: existsSync(brFile) ? statSync(brFile).size : NaN, // what the BFF sends a phone that accepts br
    };
  });
  const total = (filter) => rows.filter(filter).reduce((sum, row) => sum + row.gzip, 0);
  const jsGzip = total((row) => row.file.endsWith('.js'));
  const cssGzip = total((row) => row.file.endsWith('.css'));

  console.log('\nFirst-load assets (entry + static imports)');
  console.log(`${'file'.padEnd(44)}${'raw'.padStart(14)}${'gzip'.padStart(14)}${'br (served)'.padStart(14)}`);
  for (const row of rows) {
    console.log(
      `${row.file.padEnd(44)}${kb(row.raw).padStart(14)}${kb(row.gzip).padStart(14)}${kb(row.br).padStart(14)}`,
    );
  }
  console.log(`${'JS total'.padEnd(58)}${kb(jsGzip).padStart(14)}`);
  console.log(`${'CSS total'.padEnd(58)}${kb(cssGzip).padStart(14)}`);
  const all = jsGzip + cssGzip;
  const ok = all <= BUDGET_BYTES;
  console.log(`${'JS + CSS'.padEnd(58)}${kb(all).padStart(14)}  (${all} bytes)`);
  console.log(`Budget ≤ ${kb(BUDGET_BYTES)} gzip: ${ok ? 'MET' : 'EXCEEDED'}`);
  const floor = floorGzip();
  const ratio = all / floor;
  const floorOk = ratio <= FLOOR_RATIO_BUDGET;
  console.log(
    `Floor (Vue + vue-router + pinia, same Vite config): ${kb(floor)}; storefront = ${ratio.toFixed(2)}× floor`,
  );
  console.log(`Budget ≤ ${FLOOR_RATIO_BUDGET}× floor: ${floorOk ? 'MET' : 'EXCEEDED'}`);

  const leaks = findForbidden(distDir);
  if (leaks.length) console.error(`Forbidden strings in dist:\n  ${leaks.join('\n  ')}`);
  else console.log('dist contains no bridge.js reference and no secrets.');
  return ok && floorOk && leaks.length === 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!process.argv.includes('--no-build') || !existsSync(path.join(distDir, '.vite/manifest.json'))) build();
  process.exitCode = report() ? 0 : 1;
}
