/** Jest runs the host tests on Node. Type errors are caught by `tsc --noEmit` (npm run typecheck) before
 * jest starts, so the transform only strips types, with esbuild, the bundler the device build uses. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/host-tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': '<rootDir>/build/jest-transform.cjs',
  },
};
