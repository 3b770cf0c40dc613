/** Jest runs the host tests on Node. Type errors are caught by `tsc --noEmit` (npm run typecheck) before
 * jest starts, so the transform only strips types, with esbuild; it also turns the ES modules of build/ that the
 * tests import (build/walk.mjs, build/run-node.mjs) into CommonJS. The module map gives the library's Moddable
 * specifiers (tsconfig.json's paths) and, for the examples' device entries, the Moddable modules they import
 * (host-tests/helpers/moddable/: stand-ins a test points at a simulated board). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/host-tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(ts|mjs)$': '<rootDir>/build/jest-transform.cjs',
  },
  moduleNameMapper: {
    '^genirq/irq$': '<rootDir>/firmware/irq/index.ts',
    '^genirq/irq/(.*)$': '<rootDir>/firmware/irq/$1',
    '^genirq/drivers/(.*)$': '<rootDir>/firmware/drivers/$1',
    '^genirq/esp32$': '<rootDir>/hal/esp32/index.ts',
    '^genirq/esp32/(.*)$': '<rootDir>/hal/esp32/$1',
    '^embedded:provider/builtin$': '<rootDir>/host-tests/helpers/moddable/provider.ts',
    '^mc/config$': '<rootDir>/host-tests/helpers/moddable/config.ts',
    '^time$': '<rootDir>/host-tests/helpers/moddable/time.ts',
    '^timer$': '<rootDir>/host-tests/helpers/moddable/timer.ts',
  },
};
