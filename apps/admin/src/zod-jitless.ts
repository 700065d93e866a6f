/**
 * zod probes `new Function` unless told not to; the BFF's Content-Security-Policy (no 'unsafe-eval') refuses
 * the probe and the browser reports it. Imported first in main.ts, before the contract's schemas are defined
 * (as in the storefront).
 */
import { config } from 'zod';

config({ jitless: true });
