/** The operator console: built under /admin (the BFF serves it there), the dev server proxying /api to the BFF. */
import { defineConfig, loadEnv } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, process.cwd(), '');
  const bffUrl = env.BFF_URL || 'http://127.0.0.1:3000';
  return {
    base: '/admin/',
    plugins: [vue()],
    define: { __VUE_OPTIONS_API__: 'false' },
    server: {
      host: env.ADMIN_HOST || '127.0.0.1',
      port: Number(env.ADMIN_PORT || 5174),
      strictPort: true,
      proxy: { '/api': { target: bffUrl, changeOrigin: false, xfwd: true } },
    },
  };
});
