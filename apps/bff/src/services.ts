/** The long-lived collaborators every route module receives. */
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { OAuthClient, PayGateway } from '@wxpay-shop/wechat';
import type { Config } from './config';
import type { DB } from './db/schema';
import type { JssdkCredentials } from './jssdk/credentials';
import type { Logger } from './logger';
import type { Metrics } from './metrics/metrics';
import type { PublicUrls } from './public-urls';

export interface Services {
  config: Config;
  db: Kysely<DB>;
  /** PostgreSQL's pool (shared rate-limit counters); null on PGlite. */
  pool: pg.Pool | null;
  logger: Logger;
  metrics: Metrics;
  urls: PublicUrls;
  oauth: OAuthClient;
  /** WeChat Pay v2 or v3, behind one interface. */
  pay: PayGateway;
  /** v2: null when no merchant client certificate is configured (refunds unavailable); v3: `pay`. */
  refundPay: PayGateway | null;
  /** The shared global access_token and jsapi_ticket behind `wx.config`. */
  jssdk: JssdkCredentials;
}
