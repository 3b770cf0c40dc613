/*
 * A host fake of Moddable's ECMA-419 Digital (modules/io/digital/digital.js): one pin, as a DigitalBank of
 * one bit, exactly as Moddable builds it. `{ pin, mode, edge, onReadable, format }`: `edge` is Digital.Rising
 * (1), Digital.Falling (2) or both; pin n is bit (n & 31) of bank (n >> 5); read() gives 0 or 1; write(v)
 * drives the pin from the truth of v. A pin left out throws Error "invalid"; the rest of the checks (and
 * their errors) are DigitalBank's, so an onReadable without an edge is RangeError "invalid edges" and
 * GPIO 40 is Error "invalid pin".
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
      const pin = options.pin;
      if (pin === undefined) throw new Error('invalid');
      const pins = 1 << (pin & 0x1f);
      const edge = options.edge ?? 0;
      const o: Record<string, unknown> = {
        pins,
        bank: (pin >> 5) & 0xff,
        mode: options.mode,
        rises: edge & DIGITAL_RISING ? pins : 0,
        falls: edge & DIGITAL_FALLING ? pins : 0,
        onReadable: options.onReadable,
        format: options.format,
      };
      if ('target' in options) o.target = (options as { target?: unknown }).target;
      super(o as unknown as ConstructorParameters<FakeDigitalBankConstructor>[0]);
    }

    override read(): number {
      return super.read() ? 1 : 0;
    }

    override write(value: number): void {
      super.write(value ? ~0 : 0);
    }
  }
  return Digital;
}

/** Digital and DigitalBank bound to one simulated board, sharing its pins' bookkeeping and statistics. */
export function createFakeDigitalIo(board: DigitalIoBoard, options: FakeDigitalIoOptions = {}): FakeDigitalIo {
  const bankIo = createFakeDigitalBank(board, options);
  return Object.freeze({
    DigitalBank: bankIo.DigitalBank,
    Digital: createFakeDigital(bankIo.DigitalBank),
    stats: bankIo.stats,
    coalesced: bankIo.coalesced,
    pinsInUse: bankIo.pinsInUse,
    edgeTime: bankIo.edgeTime,
  });
}
