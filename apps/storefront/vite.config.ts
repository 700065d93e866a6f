/// <reference types="vitest/config" />
import { defineConfig, loadEnv } from 'vite';
import vue from '@vitejs/plugin-vue';
import { compression, defineAlgorithm } from 'vite-plugin-compression2';
import { constants as zlib } from 'node:zlib';
import { emulatorBridgePlugin } from './build/emulator-bridge-plugin';

export default defineConfig(({ mode }) => {
  // '' prefix: read plain process env vars (BFF_URL, …), none of which reach client code.
  const env = loadEnv(mode, process.cwd(), '');
  const bffUrl = env.BFF_URL || 'http://127.0.0.1:3000';
  const emulatorUrl = env.EMULATOR_PUBLIC_URL || 'http://localhost:4000';
  // changeOrigin false keeps the browser's Host header so the BFF builds OAuth
  // callback URLs and sets cookies for the storefront origin.
  const apiProxy = { '/api': { target: bffUrl, changeOrigin: false, xfwd: true } };

  return {
    plugins: [
      vue(),
      emulatorBridgePlugin(emulatorUrl),
      // Phones get what the BFF sends; it serves these .br/.gz siblings (koa-send) so no proxy has to compress.
      compression({
        include: /\.(js|css|html|svg|json)$/,
        threshold: 1024,
        skipIfLargerOrEqual: true,
        algorithms: [
          defineAlgorithm('brotliCompress', { params: { [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY } }),
          defineAlgorithm('gzip', { level: 9 }),
        ],
      }),
    ],
    define: {
      // Only read behind import.meta.env.DEV, so production bundles drop it.
      'import.meta.env.VITE_EMULATOR_PUBLIC_URL': JSON.stringify(emulatorUrl),
      // Every component uses <script setup>; dropping Options API support trims ~4 KB gzip.
      __VUE_OPTIONS_API__: 'false',
    },
    server: {
      host: env.STOREFRONT_HOST || '127.0.0.1',
      port: Number(env.STOREFRONT_PORT || 5173),
      strictPort: true,
      proxy: apiProxy,
    },
    preview: {
      host: env.STOREFRONT_HOST || '127.0.0.1',
      port: Number(env.STOREFRONT_PREVIEW_PORT || 4173),
      strictPort: true,
      proxy: apiProxy,
    },
    build: {
      manifest: true,
      target: 'es2020',
      sourcemap: false,
    },
    test: {
      environment: 'happy-dom',
      include: ['tests/**/*.test.ts'],
      setupFiles: ['tests/setup.ts'],
      restoreMocks: true,
      unstubGlobals: true,
      // Vant's components import their own CSS files, which only Vite (not Node) can load.
      server: { deps: { inline: ['vant'] } },
      // Only bounds a hang (Vite's default is 5 s): a busy machine mounts views slowly (11 s for one view
      // under stress-ng on 2 shared cores, 2026-12-02).
      testTimeout: 120_000,
    },
  };
});
