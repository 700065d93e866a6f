/**
 * Production build: src/main.ts → dist/main.js (+ source map), plain ESM for `node`.
 *
 * The workspace packages (@wxpay-shop/*) export TypeScript source, so they are inlined.
 * Every npm package stays external and is loaded from node_modules at run time; PGlite
 * in particular must, as it finds its wasm and data files next to its own code. An
 * inlined workspace package's own imports must therefore resolve from apps/bff, so the
 * build fails if one of them is not a dependency declared in this package.json.
 * The product pictures (src/catalog/pictures) are copied next to main.js, where picture-library.ts looks.
 */
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
const { dependencies } = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8'));
const declared = new Set(Object.keys(dependencies));

/** 'pino' → 'pino', '@koa/router/x' → '@koa/router'. */
const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const isBuiltin = (specifier) => specifier.startsWith('node:') || builtinModules.includes(specifier);

const npmExternal = {
  name: 'npm-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point' || args.path.startsWith('@wxpay-shop/') || isBuiltin(args.path)) return undefined;
      if (!declared.has(packageName(args.path))) {
        return {
          errors: [
            { text: `"${args.path}" must be in apps/bff/package.json dependencies, or dist/main.js cannot load it` },
          ],
        };
      }
      return { path: args.path, external: true };
    });
  },
};

rmSync(dist, { recursive: true, force: true });
const result = await esbuild
  .build({
    absWorkingDir: here,
    entryPoints: ['src/main.ts'],
    outfile: 'dist/main.js',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    // The map only needs positions: the .ts files it points to ship alongside in the repository.
    sourcesContent: false,
    plugins: [npmExternal],
    logLevel: 'warning',
    metafile: true,
  })
  .catch(() => process.exit(1)); // esbuild has already printed the errors

cpSync(path.join(here, 'src/catalog/pictures'), path.join(dist, 'pictures'), { recursive: true });

const size = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
console.log(
  `dist/main.js ${(size / 1024).toFixed(0)} KiB from ${Object.keys(result.metafile.inputs).length} source files`,
);
