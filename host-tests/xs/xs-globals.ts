/*
 * The globals of an xsnap worker (Agoric's xsnap-worker over Moddable's XS), as this project uses them. The
 * worker has no `console`, no `lockdown` and no timers but `setImmediate`.
 */

/** xsnap has TextEncoder; the project's lib (ES2022, no DOM) does not declare it. */
declare const TextEncoder: new () => { encode(text: string): Uint8Array };

/** Deep-freezes an object graph (own properties and prototypes), as SES's harden. Native in XS. */
export type Harden = <T>(value: T) => T;

export interface XsnapGlobals {
  harden: Harden;
  /** Sends bytes to the Node side's handleCommand and returns its reply, synchronously. */
  issueCommand(message: ArrayBuffer): ArrayBuffer;
  /** Writes its arguments, space-separated, and a newline to the worker's stdout. */
  print(...args: unknown[]): void;
  /** A full garbage collection. */
  gc(): void;
  /** The computation limit (meter units) of the current delivery; 0: none. */
  currentMeterLimit(): number;
  /** Sets the delivery's meter limit and its meter index; returns the meter index as it was. */
  resetMeter(newLimit: number, newIndex: number): number;
}

export function xsnapGlobals(): XsnapGlobals {
  const g = globalThis as unknown as Partial<XsnapGlobals>;
  for (const name of ['harden', 'issueCommand', 'print', 'gc', 'currentMeterLimit', 'resetMeter'] as const) {
    if (typeof g[name] !== 'function') throw new Error(`not running in an xsnap worker: no global ${name}()`);
  }
  return g as XsnapGlobals;
}

/** Send one JSON message to the Node side (its handleCommand). */
export function send(xs: XsnapGlobals, message: unknown): void {
  const bytes = new TextEncoder().encode(JSON.stringify(message));
  xs.issueCommand(bytes.buffer as ArrayBuffer);
}

/** What freezeLikePreload froze, and `module.export` of every export it left unfrozen (none expected). */
export interface Frozen {
  builtins: number;
  exports: number;
  notFrozen: string[];
}

const isObject = (value: unknown): value is object => (typeof value === 'object' && value !== null) || typeof value === 'function';

/**
 * Freeze what Moddable's preload freezes on the board, before anything runs: the built-in objects (every
 * global but the global object itself, with their prototypes and methods: the effect of lockdown's freezing, which
 * this build of xsnap does not offer as a global) and every export of the given modules (classes with their
 * prototypes and statics, functions, constant tables), by name as build/xs/host.mjs's bundleForXs passes them.
 * Module namespace properties are getters in a bundle, so each export's value is hardened, not the namespace.
 */
export function freezeLikePreload(xs: XsnapGlobals, modules: Readonly<Record<string, object>>): Frozen {
  let builtins = 0;
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    const value = (globalThis as Record<string, unknown>)[name];
    // globalThis (and XS's alias `global`) stays open, as on the board, where programs still add globals.
    if (value === globalThis) continue;
    if (isObject(value)) {
      xs.harden(value);
      builtins++;
    }
  }
  let exports = 0;
  const notFrozen: string[] = [];
  for (const [name, ns] of Object.entries(modules)) {
    for (const key of Object.keys(ns)) {
      const value = (ns as Record<string, unknown>)[key];
      if (!isObject(value)) continue;
      xs.harden(value);
      exports++;
      if (!Object.isFrozen(value)) notFrozen.push(`${name}.${key}`);
    }
  }
  return { builtins, exports, notFrozen };
}
