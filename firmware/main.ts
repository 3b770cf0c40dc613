/*
 * The device entry (`main` in manifest.json): Moddable calls the default export once the preloaded modules
 * are in place. It binds the application to the board's ECMA-419 IO (the host-provider conventions:
 * `device.io.*` classes and `device.I2C.default` option bags), Moddable's Time and Timer, and trace().
 */
import device from 'embedded:provider/builtin';
import Time from 'time';
import Timer from 'timer';
import { startFirmware } from './app';
import { createEsp32Platform } from '../hal/esp32';

declare const trace: (message: string) => void;

export default function main(): void {
  const platform = createEsp32Platform({ Time, Timer });
  startFirmware({
    platform,
    DigitalBank: device.io.DigitalBank,
    openI2c: (address) => new device.io.I2C({ ...device.I2C.default, address }),
    log: (level, message) => trace(`${level}: ${message}\n`),
  }, {
    onPress: (press) => trace(`button: press, edge at ${press.edgeUs} us\n`),
    onExpanderPin: (pin) => trace(`expander: pin ${pin}\n`),
  }).catch((err: unknown) => trace(`start-up failed: ${String(err)}\n`));
}
