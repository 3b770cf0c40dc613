/*
 * The one way the tests expect a refusal: `fn` throws an IrqError with `code` (and a message matching
 * `message`, when given). Returns the error for further checks.
 */
import { IrqError, type IrqErrorCode } from '../../firmware/irq';

export function expectIrqError(fn: () => unknown, code: IrqErrorCode, message?: RegExp): IrqError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(IrqError);
  const err = thrown as IrqError;
  expect(err.code).toBe(code);
  if (message !== undefined) expect(err.message).toMatch(message);
  return err;
}
