/** Operator accounts and their sessions in the database. */
import { createHash, randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { fromNow } from '../db/clock';
import type { DB, OperatorRole } from '../db/schema';
import { hashPassword } from './password';

export const OPERATOR_ROLES: readonly OperatorRole[] = ['viewer', 'operator', 'admin'];
const NAME = /^[a-z0-9][a-z0-9._-]{1,31}$/;
const MIN_PASSWORD_LENGTH = 12;

export class OperatorInputError extends Error {
  override readonly name = 'OperatorInputError';
}

/** Creates an account; refuses a taken name, a weak password or an unknown role. */
export async function addOperator(db: Kysely<DB>, name: string, password: string, role: string): Promise<void> {
  if (!NAME.test(name)) throw new OperatorInputError('operator:add: NAME must be 2-32 of a-z 0-9 . _ - (lower case)');
  if (!OPERATOR_ROLES.includes(role as OperatorRole))
    throw new OperatorInputError(`operator:add: --role must be one of ${OPERATOR_ROLES.join(', ')}`);
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new OperatorInputError(`operator:add: the password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  const inserted = await db
    .insertInto('operators')
    .values({ name, password_hash: await hashPassword(password), role: role as OperatorRole })
    .onConflict((oc) => oc.column('name').doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) throw new OperatorInputError(`operator:add: an operator named ${name} exists`);
}

export function findOperatorByName(db: Kysely<DB>, name: string) {
  return db
    .selectFrom('operators')
    .selectAll()
    .where('name', '=', name)
    .where('disabled', '=', false)
    .executeTakeFirst();
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new session: the random token goes in the cookie, only its hash in the table. */
export async function createOperatorSession(db: Kysely<DB>, operatorId: number, ttlMs: number) {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await db
    .insertInto('operator_sessions')
    .values({
      token_hash: tokenHash(token),
      operator_id: operatorId,
      csrf_token: csrfToken,
      expires_at: fromNow(ttlMs),
    })
    .execute();
  return { token, csrfToken };
}

/** The signed-in operator of an unexpired session, or undefined. */
export function findOperatorSession(db: Kysely<DB>, token: string) {
  return db
    .selectFrom('operator_sessions')
    .innerJoin('operators', 'operators.id', 'operator_sessions.operator_id')
    .select(['operators.id', 'operators.name', 'operators.role', 'operator_sessions.csrf_token'])
    .where('operator_sessions.token_hash', '=', tokenHash(token))
    .where('operator_sessions.expires_at', '>', sql<Date>`now()`)
    .where('operators.disabled', '=', false)
    .executeTakeFirst();
}

export async function deleteOperatorSession(db: Kysely<DB>, token: string): Promise<void> {
  await db.deleteFrom('operator_sessions').where('token_hash', '=', tokenHash(token)).execute();
}

/** `npm start`'s console account (DEV_OPERATOR, never in production): an admin, created once. */
export async function ensureDevOperator(
  db: Kysely<DB>,
  account: { name: string; password: string },
  log: { info(o: object, m: string): void },
) {
  if (await findOperatorByName(db, account.name)) return;
  await addOperator(db, account.name, account.password, 'admin');
  log.info({ operator: account.name }, 'dev operator created');
}
