/** Times on the database clock, so every BFF instance compares against the same one. */
import { sql } from 'kysely';

/** `now() - ms` in the database. */
export const ago = (ms: number) => sql<Date>`now() - make_interval(secs => ${ms / 1000})`;

/** `now() + ms` in the database. */
export const fromNow = (ms: number) => sql<Date>`now() + make_interval(secs => ${ms / 1000})`;
