/*
 * Host fakes of Moddable's `embedded:provider/builtin` default export (the "host provider" ECMA-419 code
 * reaches its IO through), bound to a simulated board. Two shapes exist on the ESP32, and device code must
 * work with the one its build has:
 *
 * - 'esp32': a build for the plain `esp32` platform gets modules/io/host/esp32/provider.js, which is only
 *   `{ io: { Analog, Digital, DigitalBank, I2C, ... }, pin: {} }`. There is no `I2C` (nor `SPI`, `Serial`,
 *   `Analog`) entry, so `device.I2C.default` is a TypeError ("cannot read property 'default' of
 *   undefined"), and `device.pin.button` is undefined.
 * - 'board': a board subplatform (build/devices/esp32/targets/<board>/host/provider.js: esp32_thing, nodemcu,
 *   m5stack...) adds `I2C.default = { io: I2C, data, clock }` (no `hz`, no `port`: the code must pass `hz`,
 *   or the constructor throws RangeError "invalid hz"), `Serial.default`, `SPI.default`, `Analog.default`,
 *   and `pin` names (`button`, `led`, ...: nodemcu has button 0 and led 2, esp32_thing also backlight and
 *   display pins). No ESP32 board provider has a `Digital.default`. Here: `I2C.default` and `pin`.
 *
 * Only the classes the project uses are faked (Digital, DigitalBank, I2C); the others are absent from `io`
 * rather than half-working. All of one provider's fakes share the board's pin registry (builtinCommon.c's
 * gDigitalAvailable: an I2C pin is "in use" for a DigitalBank and the other way round) and one message queue
 * (the XS task's msgQueue, MODDEF_TASK_QUEUELENGTH deep, 10 by default), as everything does on the board.
 */
import { socPins } from '../../esp32/pins';
import type { I2cBus } from '../i2c';
import type { Simulator } from '../sim';
import { createFakeDigitalIo, type FakeDigitalConstructor, type FakeDigitalIo } from './digital';
import {
  createFakeMessageQueue, createFakePinRegistry, type DigitalIoBoard, type FakeDigitalBankConstructor,
  type FakeMessageQueue, type FakePinRegistry,
} from './digitalbank';
import { Ecma419I2cHost, type Ecma419I2c, type Ecma419I2cDefault, type Ecma419I2cOptions } from './i2c';

export type FakeProviderShape = 'esp32' | 'board';

/** What a provider fake needs of a board (SimBoard fits). */
export interface FakeProviderBoard extends DigitalIoBoard {
  readonly sim: Simulator;
  readonly i2c: I2cBus;
}

export interface FakeProviderOptions {
  /** 'esp32': modules/io/host/esp32/provider.js; 'board': a board subplatform's provider.js. */
  shape: FakeProviderShape;
  /** µs from an edge to its onReadable (the JavaScript thread's latency). */
  latencyUs?: number;
  /** The XS task's message queue capacity (MODDEF_TASK_QUEUELENGTH, 10). */
  queueLength?: number;
  /** The pins of the board's I2C bus (and of `I2C.default` in the 'board' shape): 21 and 22. */
  i2cData?: number;
  i2cClock?: number;
  /** The board's named pins ('board' shape): nodemcu's `{ button: 0, led: 2 }` by default. */
  pins?: Readonly<Record<string, number>>;
}

/** `device.io`: the classes the fakes provide. */
export interface FakeProviderIo {
  readonly Digital: FakeDigitalConstructor;
  readonly DigitalBank: FakeDigitalBankConstructor;
  readonly I2C: new (options: Ecma419I2cOptions) => Ecma419I2c;
}

/** The default export of `embedded:provider/builtin`, as far as the fakes go. */
export interface FakeDevice {
  readonly io: FakeProviderIo;
  readonly pin: Readonly<Record<string, number>>;
  /** Present in the 'board' shape only. */
  readonly I2C?: { readonly default: Ecma419I2cDefault };
}

export interface FakeProvider {
  /** What device code imports: `import device from "embedded:provider/builtin"`. */
  readonly device: FakeDevice;
  /** The fakes behind it, for tests: statistics, the queue, the pin registry. */
  readonly fakes: {
    readonly digital: FakeDigitalIo;
    readonly i2c: Ecma419I2cHost;
    readonly queue: FakeMessageQueue;
    readonly pins: FakePinRegistry;
  };
}

export function createFakeProvider(board: FakeProviderBoard, options: FakeProviderOptions): FakeProvider {
  if (options.shape !== 'esp32' && options.shape !== 'board') {
    throw new RangeError(`createFakeProvider: shape must be 'esp32' or 'board', not ${String(options.shape)}`);
  }
  const queue = createFakeMessageQueue(board.sim, options.queueLength);
  // The pin table of the chip the board is, as createFakeDigitalBank uses for its own checks.
  const pins = createFakePinRegistry(socPins(board.soc ?? 'esp32'));
  const digital = createFakeDigitalIo(board, { latencyUs: options.latencyUs, queue, pins });
  const i2c = new Ecma419I2cHost(board.sim, board.i2c, { data: options.i2cData, clock: options.i2cClock, pins });
  const io: FakeProviderIo = Object.freeze({ Digital: digital.Digital, DigitalBank: digital.DigitalBank, I2C: i2c.io });
  const device: FakeDevice = options.shape === 'esp32'
    ? Object.freeze({ io, pin: Object.freeze({}) })
    : Object.freeze({
      I2C: Object.freeze({ default: i2c.default }),
      io,
      pin: Object.freeze({ ...(options.pins ?? { button: 0, led: 2 }) }),
    });
  return Object.freeze({ device, fakes: Object.freeze({ digital, i2c, queue, pins }) });
}
