// Node, which runs the simulated board's demo and tests, has a console (xsnap does not: the core logs there
// through print); the firmware does not use it.
declare const console: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};
