/**
 * zod compiles object parsers with `new Function` unless told not to, probing once whether eval
 * works. The BFF's Content-Security-Policy (script-src 'self', no 'unsafe-eval') refuses that
 * probe, and the browser reports the refusal as a violation even though zod catches it. Our
 * payloads are small, so the interpreted parser costs nothing noticeable.
 *
 * Imported first in main.ts: zod reads the setting when each schema is defined, i.e. when the
 * contract module is evaluated.
 */
import { config } from 'zod/mini';

config({ jitless: true });
