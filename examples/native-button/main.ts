/*
 * A minimal app on the native GPIO chip (genirq's native module, native/gpio-irq, built by ESP-IDF with the app:
 * manifest.json includes $(GENIRQ)/manifests/esp32-native.json): a push button debounced by the chip, whose presses
 * carry the time they settled (the ISR's time of the last bounce plus the debounce period), and a device's
 * open-drain INT as a real level-low line served by a oneshot thread.
 */
import config from 'mc/config';
import Time from 'time';
import Timer from 'timer';
import { IRQ_HANDLED, IRQF_ONESHOT, IRQF_TRIGGER_LOW, IrqCore } from 'genirq/irq';
import { Esp32NativeGpio, createEsp32Platform, type Esp32Soc } from 'genirq/esp32';
import { esp32NativeGpio } from 'genirq/esp32/native-gpio-board';
import { Button } from 'genirq/drivers/button';

declare const trace: (message: string) => void;

/** The manifest's config: `genirq.soc` from genirq's manifests/esp32.json, `app` from this app's manifest. */
interface AppConfig {
  readonly genirq: { readonly soc: Esp32Soc };
  readonly app: { readonly button: number; readonly sensorInt: number };
}

export default function main(): void {
  const log = (level: string, message: string): void => trace(`${level}: ${message}\n`);
  const { genirq, app } = config as unknown as AppConfig;
  const core = new IrqCore({ platform: createEsp32Platform({ Time, Timer, log }), log, stats: true });
  const gpio = new Esp32NativeGpio(core, esp32NativeGpio, { soc: genirq.soc });

  const button = new Button({
    core,
    irq: gpio.gpioToIrq(app.button, 'pullup'),
    onPress: (press) => trace(`button: pressed (settled at ${press.timeUs} us)\n`),
  });
  button.probe();

  // A level-low INT (open drain, pulled up): the ISR masks it, the thread serves the device, the unmask
  // re-enables it, and a level still low enters again at once.
  let served = 0;
  core.requestThreadedIrq(gpio.gpioToIrq(app.sensorInt, 'pullup'), null, () => {
    served++;
    trace(`sensor: INT served (${served})\n`);
    return IRQ_HANDLED;
  }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'sensor', undefined);
}
