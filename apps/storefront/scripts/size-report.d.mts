/** Types for the helpers size-report.mjs exports (used by tests/build-output.test.ts). */
export declare function build(options?: { outDir?: string; env?: Record<string, string>; config?: string }): void;
export declare const FORBIDDEN_STRINGS: string[];
export declare function firstLoadFiles(manifest: Record<string, unknown>): { js: string[]; css: string[] };
export declare function findForbidden(dir: string): string[];
