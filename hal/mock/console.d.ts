// The host engines that run the simulated board (Node, xsnap) have a console; the firmware does not use it.
declare const console: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};
