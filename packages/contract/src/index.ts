/**
 * The API contract between the storefront and the BFF.
 * Types are inferred from zod schemas so both sides can validate at runtime
 * (the BFF validates requests, the storefront validates responses). Written with `zod/mini`: its
 * functions tree-shake, so the browser carries only the checks it uses (zod classic attaches every
 * method to every schema, ≈ 18 KiB gzip of the storefront's first load). The BFF may compose these
 * schemas into classic ones: both are built on the same zod core. One module per concern, and no
 * side effects (package.json), so the storefront's entry chunk holds only the schemas its first page uses.
 */
export * from './catalog';
export * from './session';
export * from './orders';
export * from './delivery-address';
export * from './order-requests';
export * from './pay';
export * from './errors';
export * from './jssdk';
export * from './routes';
export * from './bills';
