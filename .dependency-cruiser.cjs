/** Import rules that `pnpm run lint` checks across every package: no import circle, type-only imports included. */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Imports run one way (features → state/protocol); a circle means a pure helper sits with the wiring.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|coverage|test-artifacts|\\.data|\\.tools)/' },
    // Count `import type` too: a type-only circle still ties the modules together.
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.mts', '.vue', '.js', '.mjs'] },
  },
};
