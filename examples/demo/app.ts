/*
 * The demo application: the IRQ core on the ESP32 GPIO HAL, with a push button, an LIS3DH accelerometer, and an
 * MCP23017 expander whose INT line it shares (open drain) with a second device, a level-triggered I2C sensor.
 * Its IO is injected, so the same code runs on the board (main.ts, with Moddable's modules) and on the simulated
 * board (`npm start`, with the host fakes). It imports the library by its Moddable specifiers, as a user's app does.
 *
 * A device that does not answer is named with its address and left out; the rest runs. A bare dev board with
 * nothing on the I2C bus still serves the button.
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQF_ONESHOT, IRQF_SHARED, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_LOW, IrqCore, type IrqCoreOptions, type IrqLog,
  type Platform,
} from 'genirq/irq';
import { Button, type ButtonPress } from 'genirq/drivers/button';
import { Lis3dh, type Lis3dhI2c, type Lis3dhSample } from 'genirq/drivers/lis3dh';
import { MCP23017_PINS, Mcp23017Irq, mcp23017BusFromI2c } from 'genirq/drivers/mcp23017';
import { Esp32Gpio, type DigitalBankConstructor, type Esp32GpioOptions, type Esp32Soc } from 'genirq/esp32';

/** Where the devices are wired: GPIO numbers, from the app manifest's config (see wiring.ts). */
export interface DemoPins {
  readonly button: number;
  readonly accelInt: number;
  /** The expander's INTA and the sensor's INT, open drain, with the pin's pull-up. */
  readonly sharedInt: number;
}

/** The devices' I2C addresses and the expander pins used as inputs (falling edge): A0..A3. */
export const DEVICES = Object.freeze({
  accelAddress: 0x18,
  expanderAddress: 0x20,
  sensorAddress: 0x48,
  expanderInputs: Object.freeze([0, 1, 2, 3]),
});

const SENSOR_STATUS = 0x00;
const SENSOR_DATA = 0x01;

export interface FirmwareIo {
  platform: Platform;
  /** The chip, from the build (the HAL manifest's config.genirq.soc). */
  soc: Esp32Soc;
  pins: DemoPins;
  DigitalBank: DigitalBankConstructor;
  /**
   * An ECMA-419 I2C object for a device: on the board `new device.io.I2C({ ...bus, address })`. It may throw
   * (a pin in use, an address refused); the device is then left out like one that does not answer.
   */
  openI2c(address: number): Lis3dhI2c;
  log?: IrqLog;
  /** When a GPIO's edge happened, where the platform knows (the simulated board). */
  edgeTime?: Esp32GpioOptions['edgeTime'];
}

export interface FirmwareEvents {
  onPress?(press: ButtonPress): void;
  onSamples?(samples: readonly Lis3dhSample[]): void;
  onExpanderPin?(pin: number): void;
  onSensor?(status: number, value: number): void;
}

export interface Firmware {
  readonly core: IrqCore;
  readonly gpio: Esp32Gpio;
  readonly button: Button;
  /** Undefined when the accelerometer did not answer at start-up. */
  readonly accel: Lis3dh | undefined;
  /** Undefined when the expander did not answer at start-up. */
  readonly expander: Mcp23017Irq | undefined;
  /** The sensor answered at start-up and its handler is on the shared line. */
  readonly sensorPresent: boolean;
  /** Readings of the level sensor sharing the expander's INT line. */
  readonly sensorReadings: number;
  stop(): Promise<void>;
}

const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;
const reason = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Start everything. `coreOptions` adds to the core's options (tracing, statistics, ...). */
export async function startFirmware(
  io: FirmwareIo, events: FirmwareEvents = {}, coreOptions: Omit<IrqCoreOptions, 'platform' | 'log'> = {},
): Promise<Firmware> {
  const core = new IrqCore({ ...coreOptions, platform: io.platform, log: io.log });
  const gpio = new Esp32Gpio(core, { DigitalBank: io.DigitalBank }, { soc: io.soc, edgeTime: io.edgeTime });
  const { pins } = io;
  const missing = (name: string, address: number, err: unknown): void => {
    core.log('warn', `${name}: no answer at ${hex(address)}; left out (${reason(err)})`);
  };

  // The GPIO chip debounces the button's line (the driver sets it); each press comes with the time it settled.
  const button = new Button({
    core, irq: gpio.gpioToIrq(pins.button, 'pullup'), onPress: (press) => events.onPress?.(press),
  });
  button.probe();

  let accel: Lis3dh | undefined;
  try {
    accel = new Lis3dh({
      i2c: io.openI2c(DEVICES.accelAddress), core, irq: gpio.gpioToIrq(pins.accelInt),
      mode: 'watermark', watermark: 10, rateHz: 100, onSamples: (samples) => events.onSamples?.(samples),
    });
    accel.probe();
  } catch (err) {
    accel = undefined;
    missing('lis3dh', DEVICES.accelAddress, err);
  }

  // The shared INT line: the expander's parent (level low, shared, oneshot) and the sensor's handler.
  const sharedIrq = gpio.gpioToIrq(pins.sharedInt, 'pullup');
  let expander: Mcp23017Irq | undefined;
  try {
    expander = new Mcp23017Irq(core, mcp23017BusFromI2c(io.openI2c(DEVICES.expanderAddress)), sharedIrq);
    await expander.probe();
  } catch (err) {
    expander = undefined;
    missing('mcp23017', DEVICES.expanderAddress, err);
  }
  if (expander !== undefined) {
    for (const pin of DEVICES.expanderInputs) {
      if (pin >= MCP23017_PINS) continue;
      core.requestThreadedIrq(expander.irqOf(pin), null, () => {
        events.onExpanderPin?.(pin);
        return IRQ_HANDLED;
      }, IRQF_TRIGGER_FALLING, `mcp-${pin}`, pin);
    }
  }

  let sensorReadings = 0;
  const sensor = { name: 'sensor' };
  let sensorPresent = false;
  try {
    const sensorI2c = io.openI2c(DEVICES.sensorAddress);
    const readRegister = (register: number): number => {
      sensorI2c.write(Uint8Array.of(register), false);
      return new Uint8Array(sensorI2c.read(1))[0];
    };
    readRegister(SENSOR_STATUS); // the probe: throws when nothing answers
    core.requestThreadedIrq(sharedIrq, null, () => {
      // Reading STATUS clears the sensor's INT; zero means the interrupt was the expander's.
      const status = readRegister(SENSOR_STATUS);
      if (status === 0) return IRQ_NONE;
      sensorReadings++;
      events.onSensor?.(status, readRegister(SENSOR_DATA));
      return IRQ_HANDLED;
    }, IRQF_ONESHOT | IRQF_SHARED | IRQF_TRIGGER_LOW, 'sensor', sensor);
    sensorPresent = true;
  } catch (err) {
    missing('sensor', DEVICES.sensorAddress, err);
  }

  return {
    core, gpio, button, accel, expander, sensorPresent,
    get sensorReadings() {
      return sensorReadings;
    },
    async stop() {
      if (sensorPresent) await core.freeIrq(sharedIrq, sensor);
      await expander?.remove();
      await accel?.remove();
      await button.remove();
    },
  };
}
