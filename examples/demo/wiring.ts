/*
 * The demo's wiring, read from its manifest's config (Moddable's `mc/config`): the chip the HAL manifest sets
 * for the subplatform (`genirq.soc`), and under `demo` the bus speed and, per chip, the I2C and interrupt pins.
 * A user rewires the board by editing examples/demo/manifest.json, never the code. Every mistake is named with
 * the config key to fix.
 */
import { IrqError } from 'genirq/irq';
import type { Esp32Soc, I2cWiring } from 'genirq/esp32';
import type { DemoPins } from './app';

export interface DemoWiring {
  readonly soc: Esp32Soc;
  readonly pins: DemoPins;
  readonly i2c: I2cWiring;
}

const SOCS: readonly Esp32Soc[] = Object.freeze(['esp32', 'esp32s3', 'esp32c3', 'esp32c6'] as const);
const PIN_KEYS = Object.freeze(['button', 'accelInt', 'sharedInt'] as const);

type Json = { readonly [key: string]: unknown };
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null;
const isPin = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** The wiring for this build, or an IrqError EINVAL naming the config key that is missing or wrong. */
export function demoWiring(config: unknown): DemoWiring {
  const genirq = isObject(config) ? config.genirq : undefined;
  const soc = isObject(genirq) ? genirq.soc : undefined;
  if (!SOCS.includes(soc as Esp32Soc)) {
    throw new IrqError('EINVAL', `config.genirq.soc is ${JSON.stringify(soc)}: include genirq's manifests/esp32.json, which sets it per subplatform (${SOCS.join(', ')})`);
  }
  const demo = isObject(config) ? config.demo : undefined;
  if (!isObject(demo)) throw new IrqError('EINVAL', 'config.demo is missing: the wiring lives in examples/demo/manifest.json');
  const wiring = demo[soc as string];
  if (!isObject(wiring)) throw new IrqError('EINVAL', `config.demo.${String(soc)} is missing: add this chip's pins to the manifest's config`);
  const pins: Record<string, number> = {};
  for (const key of PIN_KEYS) {
    const pin = wiring[key];
    if (!isPin(pin)) throw new IrqError('EINVAL', `config.demo.${String(soc)}.${key} must be a GPIO number, not ${JSON.stringify(pin)}`);
    pins[key] = pin;
  }
  const i2c: { data?: number; clock?: number; hz?: number } = {};
  for (const key of ['data', 'clock'] as const) {
    const pin = wiring[key];
    if (pin === undefined) continue;
    if (!isPin(pin)) throw new IrqError('EINVAL', `config.demo.${String(soc)}.${key} must be a GPIO number, not ${JSON.stringify(pin)}`);
    i2c[key] = pin;
  }
  if (demo.hz !== undefined) {
    if (!isPin(demo.hz) || demo.hz === 0) throw new IrqError('EINVAL', `config.demo.hz must be a bus speed in Hz, not ${JSON.stringify(demo.hz)}`);
    i2c.hz = demo.hz;
  }
  return Object.freeze({ soc: soc as Esp32Soc, pins: Object.freeze(pins as unknown as DemoPins), i2c: Object.freeze(i2c) });
}
