// Jest's transform: esbuild strips the types of the TypeScript (tsc checks them before jest runs) and turns the
// ES modules, the tests' and those of build/ that they import (build/walk.mjs, ...), into CommonJS, as jest
// loads them.
const { transformSync } = require('esbuild');

module.exports = {
  /**
   * @param {string} source
   * @param {string} filename
   */
  process(source, filename) {
    const { code, map } = transformSync(source, {
      loader: filename.endsWith('.ts') ? 'ts' : 'js',
      format: 'cjs',
      target: 'node20',
      sourcefile: filename,
      sourcemap: 'external',
    });
    return { code, map };
  },
};
