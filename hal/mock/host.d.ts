// `console`, for the docs' samples only: host-tests/docs/samples.test.ts type-checks them with this file (they
// print; Node is their host). No program of the repository includes it (tsconfig.json excludes it): code that
// uses Node's API is in tsconfig.tools.json's program, typed by @types/node, and the firmware's program
// (tsconfig.json) never sees Node or a console (xsnap has none: the core logs there through print).
declare const console: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};
