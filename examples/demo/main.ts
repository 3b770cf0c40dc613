/*
 * The demo's device entry (`main` in examples/demo/manifest.json): Moddable calls the default export once the
 * preloaded modules are in place. It reads the wiring from the manifest's config, binds the app to the board's
 * ECMA-419 IO, Moddable's Time and Timer, and trace(). It never dies: a device that does not answer is named and
 * left out (app.ts), and a start-up failure is traced with its reason.
 *
 * Provider shapes (Moddable 8.2.3): plain `-p esp32` has only `io` and `pin` (modules/io/host/esp32/provider.js);
 * board subplatforms add `I2C.default` with `io`, `data` and `clock` but no `hz`. @moddable/typings declares
 * `I2C` on every provider, which is why i2cBusOptions reads it as optional.
 */
import device from 'embedded:provider/builtin';
import config from 'mc/config';
import Time from 'time';
import Timer from 'timer';
import { createEsp32Platform, i2cBusOptions, type Esp32I2cOptions, type I2cProvider } from 'genirq/esp32';
import type { Lis3dhI2c } from 'genirq/drivers/lis3dh';
import { startFirmware } from './app';
import { demoWiring } from './wiring';

declare const trace: (message: string) => void;

export default function main(): void {
  const log = (level: string, message: string): void => trace(`${level}: ${message}\n`);
  try {
    const wiring = demoWiring(config);
    const platform = createEsp32Platform({ Time, Timer, log });
    // Without I2C pins the I2C devices are left out, each named with the reason; the button is still served.
    let bus: Esp32I2cOptions | undefined;
    let busError: unknown;
    try {
      bus = i2cBusOptions(device as I2cProvider, wiring.i2c);
      log('info', `demo on ${wiring.soc}: I2C data ${bus.data} clock ${bus.clock} at ${bus.hz} Hz`);
    } catch (err) {
      busError = err;
    }
    startFirmware({
      platform,
      soc: wiring.soc,
      pins: wiring.pins,
      DigitalBank: device.io.DigitalBank,
      openI2c: (address) => {
        if (bus === undefined) throw busError;
        const I2C = bus.io as new (options: object) => Lis3dhI2c;
        return new I2C({ ...bus, address });
      },
      log,
    }, {
      onPress: (press) => trace(`button: press ${press.seqno}, settled at ${press.timeUs} us\n`),
      onSamples: (samples) => trace(`accel: ${samples.length} samples\n`),
      onExpanderPin: (pin) => trace(`expander: pin ${pin}\n`),
      onSensor: (status, value) => trace(`sensor: status ${status} value ${value}\n`),
    }).catch((err: unknown) => log('error', `start-up failed: ${err instanceof Error ? err.message : String(err)}`));
  } catch (err) {
    log('error', `start-up failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
