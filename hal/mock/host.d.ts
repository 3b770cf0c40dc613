// What the host-side code (the simulated board's demo, benchmarks and tests) uses of Node, declared here
// instead of pulling in @types/node, so Node's globals never leak into the firmware's type checking.
// xsnap has no console (the core logs there through print); the firmware does not use any of these.
declare const console: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};

declare const process: {
  readonly argv: string[];
  readonly env: Record<string, string | undefined>;
  exitCode?: number;
};

declare module 'node:fs' {
  export function writeFileSync(path: string, data: string): void;
  export function readFileSync(path: string, encoding: 'utf8'): string;
}

declare module 'node:child_process' {
  export function execFileSync(file: string, args: readonly string[], options?: { encoding: 'utf8'; timeout?: number }): string;
}
