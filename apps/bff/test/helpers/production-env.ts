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

/**
 * The test stack's BFF as production runs it (API only), with the stack's emulator merchant ids: enough for
 * whatever calls no WeChat API with production's secrets (those are not the emulator merchant's).
 */
export const PRODUCTION_ON_TEST_STACK = {
  NODE_ENV: 'production',
  PUBLIC_BASE_URL: 'https://shop.example.com',
  STOREFRONT_DIST: 'off',
  ...PRODUCTION_SECRETS,
} as const;

/** An API-only deployment: production's storefront default (apps/storefront/dist) is tested on its own in config.test.ts. */
export const PRODUCTION_ENV = {
  ...PRODUCTION_ON_TEST_STACK,
  WECHAT_APP_ID: 'wx0123456789abcdef',
  WECHAT_MCH_ID: '1900000109',
} as const;
