/*
 * A minimal app, written and built exactly as a user's own: a push button and an LIS3DH accelerometer on the
 * ESP32 family, using genirq through its Moddable manifests (see manifest.json: it includes them from $(GENIRQ),
 * the checkout of genirq-mcu) and the Moddable specifiers `genirq/...`. Moddable's mcconfig compiles this file
 * with tsc, which finds genirq's declarations beside its modules. The wiring is the manifest's config.
 */
import device from 'embedded:provider/builtin';
import config from 'mc/config';
import Time from 'time';
import Timer from 'timer';
import { IrqCore } from 'genirq/irq';
import { Esp32Gpio, createEsp32Platform, i2cBusOptions, type Esp32Soc, type I2cProvider } from 'genirq/esp32';
import { Button } from 'genirq/drivers/button';
import { Lis3dh, type Lis3dhI2c } from 'genirq/drivers/lis3dh';

declare const trace: (message: string) => void;

/** The manifest's config: `genirq.soc` from genirq's manifests/esp32.json, `app` from this app's manifest. */
interface AppConfig {
  readonly genirq: { readonly soc: Esp32Soc };
  readonly app: { readonly button: number; readonly accelInt: number; readonly data?: number; readonly clock?: number; readonly hz?: number };
}

const ACCEL_ADDRESS = 0x18;

export default function main(): void {
  const log = (level: string, message: string): void => trace(`${level}: ${message}\n`);
  const { genirq, app } = config as unknown as AppConfig;
  const core = new IrqCore({ platform: createEsp32Platform({ Time, Timer, log }), log });
  const gpio = new Esp32Gpio(core, { DigitalBank: device.io.DigitalBank }, { soc: genirq.soc });

  const button = new Button({
    core,
    irq: gpio.gpioToIrq(app.button, 'pullup'),
    onPress: (press) => trace(`button: pressed (settled at ${press.timeUs} us)\n`),
  });
  button.probe();

  try {
    const bus = i2cBusOptions(device as I2cProvider, app);
    const I2C = bus.io as new (options: object) => Lis3dhI2c;
    const accel = new Lis3dh({
      i2c: new I2C({ ...bus, address: ACCEL_ADDRESS }),
      core,
      irq: gpio.gpioToIrq(app.accelInt),
      rateHz: 10,
      onSamples: (samples) => {
        const { x, y, z } = samples[samples.length - 1];
        trace(`accel: ${x.toFixed(2)} ${y.toFixed(2)} ${z.toFixed(2)} g\n`);
      },
    });
    accel.probe();
  } catch (err) {
    log('warn', `lis3dh: no answer at 0x${ACCEL_ADDRESS.toString(16)}; running without it (${err instanceof Error ? err.message : String(err)})`);
  }
}
