/**
 * `pnpm --filter @wxpay-shop/bff operator:add NAME --role viewer|operator|admin`: creates an operator account.
 * The password comes from OPERATOR_PASSWORD or, when unset, from the first line of stdin (never an argument,
 * which would land in the shell history and the process list).
 */
import { createInterface } from 'node:readline';
import { databaseOf } from '../config';
import { openDatabase } from '../db/connect';
import { addOperator, OperatorInputError } from './accounts';

function parseArgs(argv: string[]): { name: string; role: string } {
  const roleAt = argv.indexOf('--role');
  const role = roleAt >= 0 ? argv[roleAt + 1] : undefined;
  const name = argv.find((arg, i) => !arg.startsWith('--') && i !== roleAt + 1);
  if (!name || !role) throw new OperatorInputError('usage: operator:add NAME --role viewer|operator|admin');
  return { name, role };
}

async function readPassword(): Promise<string> {
  if (process.env.OPERATOR_PASSWORD) return process.env.OPERATOR_PASSWORD;
  if (process.stdin.isTTY) process.stderr.write('Password (at least 12 characters): ');
  const lines = createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) return line;
  return '';
}

async function main(): Promise<void> {
  const { name, role } = parseArgs(process.argv.slice(2));
  const password = await readPassword();
  // Opening migrates, so the command works on a fresh database too.
  const database = await openDatabase(databaseOf(process.env));
  try {
    await addOperator(database.db, name, password, role);
    console.log(`operator ${name} (${role}) created`);
  } finally {
    await database.close();
  }
}

main().catch((err: unknown) => {
  console.error(
    err instanceof OperatorInputError
      ? err.message
      : `operator:add failed: ${err instanceof Error ? err.message : String(err)}`,
  );
  process.exit(1);
});
