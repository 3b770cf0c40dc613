/** The errno names the core (and drivers: ENODEV, EIO) report, as the kernel's negative return values would carry. */
export type IrqErrorCode = 'EINVAL' | 'EBUSY' | 'EDEADLK' | 'ENOSYS' | 'ENOMEM' | 'ENODEV' | 'EIO';

/**
 * Every error the core throws. `code` carries the kernel's errno name; the message names the irq and the cause.
 *
 * `name` is a getter on the prototype, not an own property assigned in the constructor: on the board,
 * preload freezes Error.prototype, and assigning `this.name` to an instance whose prototype chain has a
 * frozen `name` throws (the "override mistake").
 */
export class IrqError extends Error {
  readonly code: IrqErrorCode;
  readonly irq: number | undefined;

  constructor(code: IrqErrorCode, message: string, irq?: number) {
    super(`${code}: ${message}`);
    this.code = code;
    this.irq = irq;
  }
}

// See the class comment: an accessor on our own prototype, defined while the module loads (before preload freezes it).
Object.defineProperty(IrqError.prototype, 'name', { get: () => 'IrqError', configurable: false, enumerable: false });

/** An error (or anything thrown) as one line for a log message. */
export function describe(err: unknown): string {
  if (err instanceof Error) return err.message ? `${err.name}: ${err.message}` : err.name;
  return String(err);
}

/**
 * A value of the wrong type, as a message shows it: `the string "4"`, `undefined`, `a object`. Lets an
 * argument check name what was passed rather than what it became after a numeric conversion.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${typeof value} ${String(value)}`;
  return `a value of type ${typeof value}`;
}
