/**
 * koa-session wiring: signed, httpOnly, SameSite=Lax cookies that carry only an id (the data
 * lives in the `sessions` table), Secure in production.
 */
import type { Context, Next } from 'koa';
import type Koa from 'koa';
import type { Kysely } from 'kysely';
import session from 'koa-session';
import type { Config } from '../config';
import type { DB } from '../db/schema';
import { createSessionStore } from './store';

const SESSION_MAX_AGE_MS = 7 * 24 * 3600_000;
const SESSION_COOKIE = 'wxshop.sid';

export function sessionMiddleware(app: Koa, config: Config, db: Kysely<DB>) {
  const production = config.env === 'production';
  const sessions = session(
    {
      key: SESSION_COOKIE,
      maxAge: SESSION_MAX_AGE_MS,
      httpOnly: true,
      signed: true,
      sameSite: 'lax',
      secure: production,
      rolling: false,
      renew: true,
      store: createSessionStore(db) as never,
    },
    app,
  );
  return async (ctx: Context, next: Next): Promise<void> => {
    // Opened further up this request already (auth/sign-in-first): one read and one commit, not two.
    if (ctx.state.sessionOpen) return next();
    ctx.state.sessionOpen = true;
    // TLS ends at the proxy in front of us. The browser uses PUBLIC_BASE_URL, which production
    // requires to be https, so Secure cookies are right even when the proxy sends no
    // X-Forwarded-Proto (without this, every cookie write would fail with a 500).
    if (production) ctx.cookies.secure = true;
    await sessions(ctx, next);
  };
}
