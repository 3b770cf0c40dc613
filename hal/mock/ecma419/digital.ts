/*
 * A host fake of Moddable's ECMA-419 Digital (modules/io/digital/digital.js): one pin, as a DigitalBank of
 * one bit, exactly as Moddable builds it. `{ pin, mode, edge, onReadable, activeLow, initialValue, target,
 * format }`: `edge` is Digital.Rising (1), Digital.Falling (2) or both; pin n is bit (n & 31) of bank
 * (n >> 5) (`pin` may also be `{ pin, port }`, the port ignored on the ESP32); read() gives 0 or 1; write(v)
 * drives the pin from Number(v)'s truth. A pin left out throws Error "invalid"; the rest of the checks (and
 * their errors) are DigitalBank's, so an onReadable without an edge is RangeError "invalid edges", GPIO 40
 * is Error "invalid pin", and onReadable is taken from the options only (a subclass's method is not called).
 *
 * createFakeDigitalIo(board) gives both classes bound to a simulated board: what firmware/main gets from
 * `embedded:io/digital` and `embedded:io/digitalbank` on the device.
 */
import type { DigitalInstance, DigitalOptions } from '../../esp32/io-types';
import {
  createFakeDigitalBank, type DigitalIoBoard, type FakeDigitalBankConstructor, type FakeDigitalBankIo, type FakeDigitalModes, type FakeDigitalIoOptions,
} from './digitalbank';

export const DIGITAL_RISING = 1;
export const DIGITAL_FALLING = 2;

export interface FakeDigitalConstructor extends FakeDigitalModes {
  new (options: DigitalOptions): DigitalInstance & { readonly format: 'number' };
  readonly Rising: number;
  readonly Falling: number;
}

export interface FakeDigitalIo extends FakeDigitalBankIo {
  readonly Digital: FakeDigitalConstructor;
}

/** Moddable's Digital over a given DigitalBank class. */
export function createFakeDigital(DigitalBank: FakeDigitalBankConstructor): FakeDigitalConstructor {
  class Digital extends DigitalBank {
    static readonly Rising = DIGITAL_RISING;
    static readonly Falling = DIGITAL_FALLING;

    constructor(options: DigitalOptions) {
      const given: unknown = options.pin;
      if (given === undefined) throw new Error('invalid');
      // `{ pin, port }` when it has a port, else the pin number itself.
      const spec = given as { pin?: unknown; port?: unknown };
      const port = spec.port;
      const n = Number(port === undefined ? given : spec.pin);
      const pins = 1 << (n & 0x1f);
      const edge = options.edge ?? 0;
      const o: Record<string, unknown> = {
        pins,
        port,
        bank: (n >> 5) & 0xff,
        mode: options.mode,
        rises: edge & DIGITAL_RISING ? pins : 0,
        falls: edge & DIGITAL_FALLING ? pins : 0,
        onReadable: options.onReadable,
        format: options.format,
      };
      if ('activeLow' in options) o.activeLow = options.activeLow;
      if ('initialValue' in options) o.initialValue = Number(options.initialValue) ? pins : 0;
      if ('target' in options) o.target = (options as { target?: unknown }).target;
      super(o as unknown as ConstructorParameters<FakeDigitalBankConstructor>[0]);
    }

    override read(): number {
      return super.read() ? 1 : 0;
    }

    override write(value: number): void {
      super.write(Number(value) ? ~0 : 0);
    }
  }
  return Digital;
}

/** Digital and DigitalBank bound to one simulated board, sharing its pins' bookkeeping, message queue and statistics. */
export function createFakeDigitalIo(board: DigitalIoBoard, options: FakeDigitalIoOptions = {}): FakeDigitalIo {
  const bankIo = createFakeDigitalBank(board, options);
  return Object.freeze({ ...bankIo, Digital: createFakeDigital(bankIo.DigitalBank) });
}
