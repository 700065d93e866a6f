/** Composes the Koa app. createApp builds it; startBff also listens (app and metrics) and runs the reconciler. */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { createServer, type Server, type ServerResponse } from 'node:http';
import Koa from 'koa';
import { authRoutes } from './auth/routes';
import { signInFirst } from './auth/sign-in-first';
import { startBillJob } from './bills/bill-job';
import { billRoutes } from './bills/routes';
import { PictureLibrary } from './catalog/picture-library';
import { catalogRoutes } from './catalog/routes';
import type { Config } from './config';
import { isReachable, openDatabase, type DatabaseHandle } from './db/connect';
import { imageSources, pagePolicy } from './http/content-security-policy';
import { errorMiddleware } from './http/errors';
import { refuseNulInUrl } from './http/nul-guard';
import { requestContext } from './http/request-context';
import { sameOriginWrites } from './http/same-origin';
import { securityHeaders } from './http/security-headers';
import { adminConsole } from './http/admin-console';
import { storefront } from './http/storefront';
import { JssdkCredentials } from './jssdk/credentials';
import { jssdkRoutes } from './jssdk/routes';
import { createLogger, type Logger } from './logger';
import { watchDatabase } from './metrics/database-gauges';
import { httpMetrics } from './metrics/http-metrics';
import { createMetrics } from './metrics/metrics';
import { startMetricsServer } from './metrics/server';
import { notifyRoutes } from './notify/routes';
import { ensureDevOperator } from './operators/accounts';
import { operatorRoutes } from './operators/routes';
import { lifecycleRoutes } from './orders/lifecycle-routes';
import { orderRoutes } from './orders/routes';
import { adminRoutes } from './payments/admin-routes';
import { payRoutes } from './payments/pay-routes';
import { PublicUrls } from './public-urls';
import { reconcileOnce, startReconciler, type ReconcileSummary } from './payments/reconciler';
import type { Services } from './services';
import { sessionMiddleware } from './sessions/middleware';
import { WechatCallLog } from './payments/wechat-call-log';
import { createJssdkTokenClient, createOAuthClient, createPayClients } from './wechat-clients';

export interface AppDeps {
  database?: DatabaseHandle;
  logger?: Logger;
}

export interface BffApp {
  app: Koa;
  services: Services;
  database: DatabaseHandle;
  reconcileOnce(options?: { minPrepayAgeMs?: number }): Promise<ReconcileSummary>;
  close(): Promise<void>;
}

export async function createApp(config: Config, deps: AppDeps = {}): Promise<BffApp> {
  const logger = deps.logger ?? createLogger(config.logLevel, undefined, { pretty: config.env === 'development' });
  // Before the database opens, so a picture that cannot be read leaves nothing to close.
  const pictures = await PictureLibrary.load();
  const database = deps.database ?? (await openDatabase(config.database, { logger }));
  const metrics = createMetrics();
  watchDatabase(metrics.registry, database, logger);
  if (config.devOperator) await ensureDevOperator(database.db, config.devOperator, logger);
  const callLog = new WechatCallLog(database.db, logger);
  const clients = createPayClients(config, metrics, callLog);
  const services: Services = {
    config,
    db: database.db,
    pool: database.pool,
    logger,
    metrics,
    urls: new PublicUrls(config),
    oauth: createOAuthClient(config, metrics),
    pay: clients.pay,
    refundPay: clients.refundPay,
    jssdk: new JssdkCredentials(database.db, createJssdkTokenClient(config, metrics), config.wechat.appId, logger),
  };

  // X-Forwarded-For is only believed when a proxy is declared, and then only the entries those
  // hops appended: otherwise any client could pick the IP we log and send to WeChat.
  const app = new Koa({
    keys: config.sessionKeys,
    proxy: config.trustProxyHops > 0,
    maxIpsCount: config.trustProxyHops,
  });
  app.on('error', (err: unknown) => logger.debug({ err }, 'koa error event'));

  app.use(requestContext(logger));
  app.use(httpMetrics(metrics));
  app.use(errorMiddleware);
  const policy = pagePolicy({
    imgSources: imageSources(config.wechat.apiBaseUrl, config.cspImgSources),
    upgradeInsecureRequests: config.env === 'production',
  });
  app.use(securityHeaders({ pagePolicy: policy, hsts: config.env === 'production' }));
  app.use(refuseNulInUrl);

  app.use(async (ctx, next) => {
    if (ctx.path === '/healthz') {
      ctx.body = { ok: true };
      return;
    }
    if (ctx.path === '/readyz') {
      const ready = await isReachable(database.db);
      ctx.status = ready ? 200 : 503;
      ctx.body = { ok: ready };
      return;
    }
    await next();
  });

  // Notifications come from WeChat's servers: no session, no cookies.
  const notify = notifyRoutes(services);
  app.use(notify.routes()).use(notify.allowedMethods());

  // The operator console has its own session cookie and CSRF token, apart from the shopper's session.
  for (const router of [adminRoutes(services), billRoutes(services), operatorRoutes(services)]) {
    app.use(router.routes()).use(router.allowedMethods());
  }

  if (config.adminDist) app.use(adminConsole(config.adminDist, policy));
  const sessions = sessionMiddleware(app, config, database.db);
  if (config.storefrontDist) {
    app.use(signInFirst(services, sessions));
    app.use(storefront(config.storefrontDist));
  }

  // The catalog is the same for everyone: served before the session, so browsing costs no session read.
  const catalog = catalogRoutes(database.db, config, pictures);
  app.use(catalog.routes()).use(catalog.allowedMethods());
  // wx.config signatures need no session either.
  const jssdk = jssdkRoutes(services);
  app.use(jssdk.routes()).use(jssdk.allowedMethods());

  // Everything below acts with the shopper's session cookie.
  app.use(sameOriginWrites(() => new URL(services.urls.base).origin));
  app.use(sessions);

  for (const router of [authRoutes(services), orderRoutes(services), lifecycleRoutes(services), payRoutes(services)]) {
    app.use(router.routes()).use(router.allowedMethods());
  }

  return {
    app,
    services,
    database,
    reconcileOnce: (options = {}) =>
      reconcileOnce({ db: database.db, pay: services.pay, log: logger, metrics, ...options }),
    close: async () => {
      services.pay.close?.();
      services.refundPay?.close?.();
      await callLog.flush();
      if (!deps.database) await database.close();
    },
  };
}

export interface RunningBff extends BffApp {
  url: string;
  server: Server;
  /** The Prometheus scrape URL, or null without METRICS_PORT. */
  metricsUrl: string | null;
}

/**
 * Node's defaults let a client take 300 s to send one request; a slowly trickled body would hold
 * the connection that long. Expired requests are found by a periodic sweep, which by default runs
 * every 30 s: it runs often enough here that the timeouts hold to within a second.
 */
function createHttpServer(config: Config, bff: BffApp): Server {
  const { headersTimeoutMs, requestTimeoutMs } = config.http;
  return createServer(
    {
      headersTimeout: headersTimeoutMs,
      requestTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(headersTimeoutMs / 4)),
    },
    bff.app.callback(),
  );
}

export async function startBff(config: Config, deps: AppDeps = {}): Promise<RunningBff> {
  const bff = await createApp(config, deps);
  const server = createHttpServer(config, bff).listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  bff.services.urls.bindListenOrigin(url);
  const { logger, metrics } = bff.services;
  const metricsServer = config.metrics ? await startMetricsServer(config.metrics, metrics.registry, logger) : null;
  const reconciler =
    config.reconcileIntervalMs > 0
      ? startReconciler({
          db: bff.database.db,
          pay: bff.services.pay,
          log: logger,
          metrics,
          intervalMs: config.reconcileIntervalMs,
        })
      : null;
  const billJob =
    config.billCheckIntervalMs > 0
      ? startBillJob({
          db: bff.database.db,
          pay: bff.services.pay,
          log: logger,
          metrics,
          intervalMs: config.billCheckIntervalMs,
        })
      : null;
  const listening = {
    url,
    publicBaseUrl: bff.services.urls.base,
    db: bff.database.kind,
    metricsUrl: metricsServer?.url,
  };
  logger.info(listening, 'bff listening');
  // While draining, every answer closes its connection, so keep-alive clients reconnect to another instance.
  let draining = false;
  const inFlight = new Set<ServerResponse>();
  server.on('request', (_req, res: ServerResponse) => {
    if (draining) res.setHeader('Connection', 'close');
    inFlight.add(res);
    res.once('close', () => inFlight.delete(res));
  });
  return {
    ...bff,
    url,
    server,
    metricsUrl: metricsServer?.url ?? null,
    close: async () => {
      draining = true;
      for (const res of inFlight) if (!res.headersSent) res.setHeader('Connection', 'close');
      await Promise.all([
        reconciler?.stop(),
        billJob?.stop(),
        drain(server, config.shutdownGraceMs, bff.services.logger),
      ]);
      await metricsServer?.close();
      await bff.close();
    },
  };
}

/**
 * Stops accepting connections and lets the requests in flight finish (a notification being recorded is
 * answered, not cut off), for at most `graceMs`; then closes what is left, which WeChat will re-send.
 */
async function drain(server: Server, graceMs: number, logger: Logger): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const deadline = setTimeout(() => {
    logger.warn({ graceMs }, 'shutdown grace period over: closing connections still in use');
    server.closeAllConnections();
  }, graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(deadline);
  }
}
