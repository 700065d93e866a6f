/**
 * A production environment with real-looking secrets (production refuses the test merchant's
 * key, appsecret and the dev session keys/admin token). Tests spread it and override what they test.
 */
export const PRODUCTION_SECRETS = {
  WECHAT_APP_SECRET: 'a'.repeat(32),
  WECHAT_PAY_API_KEY: 'b'.repeat(32),
  SESSION_KEYS: 'k'.repeat(32),
  ADMIN_TOKEN: 't'.repeat(32),
} as const;

/** An API-only deployment: production's storefront default (apps/storefront/dist) is tested on its own in config.test.ts. */
export const PRODUCTION_ENV = {
  NODE_ENV: 'production',
  STOREFRONT_DIST: 'off',
  PUBLIC_BASE_URL: 'https://shop.example.com',
  WECHAT_APP_ID: 'wx0123456789abcdef',
  WECHAT_MCH_ID: '1900000109',
  ...PRODUCTION_SECRETS,
} as const;
