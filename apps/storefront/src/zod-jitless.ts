/**
 * zod compiles object parsers with `new Function` unless told not to, probing once whether eval
 * works. The BFF's Content-Security-Policy (script-src 'self', no 'unsafe-eval') refuses that
 * probe, and the browser reports the refusal as a violation even though zod catches it. Our
 * payloads are small, so the interpreted parser costs nothing noticeable.
 *
 * Imported first in main.ts: zod reads the setting when each schema is defined, i.e. when the
 * contract module is evaluated (in the lazy chunks of the pages after the first).
 */

// Not `config()` from zod: importing it would put zod's core into the first load, which validates without
// zod (api/first-page-answers.ts). zod keeps its config in this global and adopts one set before it loads.
const holder = globalThis as { __zod_globalConfig?: { jitless?: boolean } };
(holder.__zod_globalConfig ??= {}).jitless = true;

export {};
