/** The storefront's own Vite config, rooted at the floor app (see main.ts). */
import { fileURLToPath } from 'node:url';
import { defineConfig, type UserConfig } from 'vite';
import storefront from '../../vite.config';

export default defineConfig((env) => {
  const base = (typeof storefront === 'function' ? storefront(env) : storefront) as UserConfig;
  return { ...base, root: fileURLToPath(new URL('.', import.meta.url)) };
});
