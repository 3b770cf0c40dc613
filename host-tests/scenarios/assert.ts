/*
 * The assertions the shared scenarios use: a few of our own instead of jest's `expect`, so the same scenario
 * runs under jest on Node and inside XS (the XS lane), where there are no jest globals.
 *
 * Every failed assertion throws an AssertionFailure whose message says what was expected and what came.
 */

/** Thrown by a failed assertion. */
export class AssertionFailure extends Error {
  // A getter, not `this.name = ...`: in the XS lane Error.prototype is frozen and that assignment throws.
  override get name(): string {
    return 'AssertionFailure';
  }
}

/** What an error thrown by `t.throws` / `t.rejects` must look like. Every given field must match. */
export interface ErrorExpectation {
  /** The error's `code` property (IrqError and I2cError carry one). */
  code?: string;
  /** Tested against the error's message. */
  message?: RegExp;
  /** The error's class. */
  instanceOf?: abstract new (...args: never[]) => unknown;
}

export interface T {
  /** actual === expected (Object.is, so NaN equals NaN). */
  equal<V>(actual: V, expected: V, message?: string): void;
  /** value is truthy. */
  ok(value: unknown, message?: string): void;
  /** Structural equality of plain data: primitives, arrays and plain objects. */
  deepEqual(actual: unknown, expected: unknown, message?: string): void;
  /** fn throws an error matching `expected`; returns that error. */
  throws(fn: () => unknown, expected?: ErrorExpectation, message?: string): unknown;
  /** promise rejects with an error matching `expected`; resolves to that error. */
  rejects(promise: Promise<unknown>, expected?: ErrorExpectation, message?: string): Promise<unknown>;
  /** Text matches pattern. */
  match(text: string, pattern: RegExp, message?: string): void;
  /** The number of assertions made so far (a scenario that made none is a failure). */
  readonly count: number;
}

/** A short, deterministic rendering of a value for failure messages. */
export function show(value: unknown, depth = 0): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
  if (typeof value !== 'object' || value === null) return String(value);
  if (depth > 3) return Array.isArray(value) ? '[...]' : '{...}';
  if (Array.isArray(value)) return `[${value.map((v) => show(v, depth + 1)).join(', ')}]`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  const entries = Object.keys(value).map((k) => `${k}: ${show((value as Record<string, unknown>)[k], depth + 1)}`);
  return `{${entries.join(', ')}}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Where actual and expected first differ ('' for the top level), or undefined when they are equal. */
function firstDifference(actual: unknown, expected: unknown, path: string): string | undefined {
  if (Object.is(actual, expected)) return undefined;
  if (Array.isArray(actual) && Array.isArray(expected)) {
    if (actual.length !== expected.length) return `${path}.length`;
    for (let i = 0; i < actual.length; i++) {
      const d = firstDifference(actual[i], expected[i], `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (isPlainObject(actual) && isPlainObject(expected)) {
    const keys = Object.keys(expected);
    const actualKeys = Object.keys(actual);
    for (const k of actualKeys) if (!keys.includes(k)) return `${path}.${k}`;
    for (const k of keys) {
      if (!actualKeys.includes(k)) return `${path}.${k}`;
      const d = firstDifference(actual[k], expected[k], `${path}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return path;
}

function fail(message: string | undefined, detail: string): never {
  throw new AssertionFailure(message ? `${message}: ${detail}` : detail);
}

function checkError(err: unknown, expected: ErrorExpectation | undefined, message: string | undefined): void {
  if (expected === undefined) return;
  if (expected.instanceOf !== undefined && !(err instanceof expected.instanceOf)) {
    fail(message, `expected an error of class ${expected.instanceOf.name}, got ${show(err)}`);
  }
  if (expected.code !== undefined) {
    const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
    if (code !== expected.code) fail(message, `expected an error with code ${expected.code}, got code ${show(code)} (${show(err)})`);
  }
  if (expected.message !== undefined) {
    const text = err instanceof Error ? err.message : String(err);
    if (!expected.message.test(text)) fail(message, `expected an error message matching ${String(expected.message)}, got ${show(text)}`);
  }
}

/** A fresh set of assertions for one scenario run. */
export function makeT(): T {
  let count = 0;
  return {
    get count() {
      return count;
    },
    equal(actual, expected, message) {
      count++;
      if (!Object.is(actual, expected)) fail(message, `expected ${show(expected)}, got ${show(actual)}`);
    },
    ok(value, message) {
      count++;
      if (!value) fail(message, `expected a truthy value, got ${show(value)}`);
    },
    deepEqual(actual, expected, message) {
      count++;
      const d = firstDifference(actual, expected, '');
      if (d !== undefined) {
        fail(message, `expected ${show(expected)}, got ${show(actual)}${d === '' ? '' : ` (first difference at ${d.replace(/^\./, '')})`}`);
      }
    },
    throws(fn, expected, message) {
      count++;
      try {
        fn();
      } catch (err) {
        checkError(err, expected, message);
        return err;
      }
      return fail(message, 'expected the function to throw, and it returned');
    },
    async rejects(promise, expected, message) {
      count++;
      try {
        await promise;
      } catch (err) {
        checkError(err, expected, message);
        return err;
      }
      return fail(message, 'expected the promise to reject, and it resolved');
    },
    match(text, pattern, message) {
      count++;
      if (typeof text !== 'string' || !pattern.test(text)) fail(message, `expected text matching ${String(pattern)}, got ${show(text)}`);
    },
  };
}

/** One behaviour, checked the same way on Node (jest) and in XS (the XS lane). */
export interface Scenario {
  readonly name: string;
  readonly run: (t: T) => Promise<void>;
}

/**
 * Run one scenario with fresh assertions. Rejects with the scenario's failure, or when it made no assertion
 * at all (a scenario that checks nothing must not pass).
 */
export async function runScenario(scenario: Scenario): Promise<number> {
  const t = makeT();
  await scenario.run(t);
  if (t.count === 0) throw new AssertionFailure(`scenario "${scenario.name}" made no assertion`);
  return t.count;
}
