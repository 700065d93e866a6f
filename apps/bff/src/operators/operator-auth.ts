/**
 * The operator session: its own cookie (HttpOnly, SameSite=Strict, Secure in production, 8 h), the role
 * check, and a CSRF token every write must echo in X-CSRF-Token.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Kysely } from 'kysely';
import type { DB, OperatorRole } from '../db/schema';
import { HttpError } from '../http/errors';
import { findOperatorSession } from './accounts';

export const OPERATOR_COOKIE = 'wxpay_op';
export const OPERATOR_SESSION_TTL_MS = 8 * 3600_000;

const RANK: Record<OperatorRole, number> = { viewer: 0, operator: 1, admin: 2 };
const SAFE_METHODS = new Set(['GET', 'HEAD']);

export interface SignedInOperator {
  id: number;
  name: string;
  role: OperatorRole;
  csrfToken: string;
}

export const actorOf = (operator: SignedInOperator) => `operator:${operator.name}`;

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Sets the session cookie; Secure in production, where TLS ends at the proxy (see sessions/middleware.ts). */
export function setOperatorCookie(ctx: Context, token: string | null, production: boolean): void {
  if (production) ctx.cookies.secure = true;
  ctx.cookies.set(OPERATOR_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: production,
    signed: false,
    path: '/',
    ...(token ? { maxAge: OPERATOR_SESSION_TTL_MS } : { expires: new Date(0) }),
  });
}

/** 401 without a live operator session, 403 for a lesser role or a write without the session's CSRF token. */
export function requireOperator(db: Kysely<DB>, minRole: OperatorRole) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const token = ctx.cookies.get(OPERATOR_COOKIE);
    const session = token ? await findOperatorSession(db, token) : undefined;
    if (!session) throw new HttpError(401, 'UNAUTHENTICATED', 'Operator sign-in required');
    if (!SAFE_METHODS.has(ctx.method) && !sameToken(ctx.get('X-CSRF-Token'), session.csrf_token)) {
      throw new HttpError(403, 'FORBIDDEN', 'CSRF token missing or wrong');
    }
    if (RANK[session.role] < RANK[minRole]) throw new HttpError(403, 'FORBIDDEN', `This needs the ${minRole} role`);
    ctx.state.operator = {
      id: session.id,
      name: session.name,
      role: session.role,
      csrfToken: session.csrf_token,
    } satisfies SignedInOperator;
    await next();
  };
}
