/**
 * A Turbopack loader for contracts/: its TypeScript imports its own modules as Node ESM wants
 * them (`'../codec/canonical.js'`, resolved to `.ts` by tsc, tsx and vitest), which Turbopack
 * does not map to `.ts` files (vercel/next.js#82945). This drops the `.js` of relative specifiers so
 * Turbopack finds the `.ts` file; nothing else in the source changes.
 */
const RELATIVE_JS = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"\n]*?)\.js\2/g;

module.exports = function contractsSpecifierLoader(source) {
  return source.replace(RELATIVE_JS, '$1$2$3$2');
};
