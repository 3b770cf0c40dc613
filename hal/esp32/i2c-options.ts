/*
 * The option bag for `new device.io.I2C(...)` on every provider shape Moddable ships for the ESP32 family, with
 * `hz` always set.
 *
 * What Moddable does (8.2.3):
 * - plain `-p esp32` (modules/io/host/esp32/provider.js): the provider has `io` and `pin` only. There is no
 *   `I2C.default`, so `device.I2C.default` is a TypeError; the pins must come from the app.
 * - board subplatforms (build/devices/esp32/targets/<board>/host/provider.js, e.g. esp32_thing): `I2C.default`
 *   is `{ io, data, clock }` with no `hz`.
 * - modules/io/i2c/esp32/_i2c.c: the constructor throws RangeError "invalid hz" when `hz` is missing or 0.
 * So: the app's wiring (from its manifest's config) or the board's I2C.default give the pins, and hz comes from
 * the wiring or the 100 kHz standard-mode default every I2C device supports.
 */
import { IrqError } from '../../firmware/irq';

/** I2C wiring as an app's manifest config states it (all optional). */
export interface I2cWiring {
  /** SDA GPIO. */
  readonly data?: number;
  /** SCL GPIO. */
  readonly clock?: number;
  /** Bus speed in Hz (default 100 kHz, standard mode). */
  readonly hz?: number;
  /** I2C controller (Moddable's `port`), when not the default. */
  readonly port?: number;
}

/** The part of `embedded:provider/builtin` this reads; every member optional, as the shapes differ. */
export interface I2cProvider {
  readonly io?: { readonly I2C?: unknown };
  readonly I2C?: { readonly default?: { readonly io?: unknown; readonly data?: unknown; readonly clock?: unknown; readonly port?: unknown } };
}

/** The option bag, without `address` (one I2C object per device adds its own). */
export interface Esp32I2cOptions {
  readonly io: unknown;
  readonly data: number;
  readonly clock: number;
  readonly hz: number;
  readonly port?: number;
}

export const I2C_DEFAULT_HZ = 100_000;

const isPin = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * The I2C bus options: the wiring's pins when it gives both, else the board's `I2C.default` pins, else an
 * IrqError EINVAL that says where to put them. `hz` is the wiring's, else 100 kHz.
 */
export function i2cBusOptions(provider: I2cProvider, wiring: I2cWiring = {}): Esp32I2cOptions {
  const io = provider.I2C?.default?.io ?? provider.io?.I2C;
  if (typeof io !== 'function') throw new IrqError('EINVAL', 'the provider has no I2C class (device.io.I2C): include $(MODDABLE)/modules/io/manifest.json');
  const hz = wiring.hz ?? I2C_DEFAULT_HZ;
  if (!Number.isInteger(hz) || hz <= 0) throw new IrqError('EINVAL', `I2C hz must be a positive integer, not ${String(hz)}`);
  const board = provider.I2C?.default;
  let data: unknown = wiring.data;
  let clock: unknown = wiring.clock;
  if (data === undefined && clock === undefined && board !== undefined) {
    data = board.data;
    clock = board.clock;
  }
  if (!isPin(data) || !isPin(clock)) {
    const why = board === undefined
      ? "this build's provider has no I2C.default (plain -p esp32 has only io and pin)"
      : 'the board provider\'s I2C.default has no data/clock pins';
    throw new IrqError('EINVAL', `no I2C pins: ${why}; set "data" and "clock" in the app manifest's config`);
  }
  const port = wiring.port ?? (isPin(board?.port) ? board.port : undefined);
  return port === undefined ? { io, data, clock, hz } : { io, data, clock, hz, port };
}
