/*
 * The application the board runs: the IRQ core on the ESP32 GPIO HAL, with a push button, an LIS3DH
 * accelerometer, and an MCP23017 expander whose INT line it shares (open drain) with a second device, a
 * level-triggered I2C sensor. Its IO is injected, so the same code runs on the board (firmware/main.ts, with
 * Moddable's modules) and on the simulated board (`npm start`, with the ECMA-419 fakes).
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQF_ONESHOT, IRQF_SHARED, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_LOW, IrqCore, type IrqCoreOptions, type IrqLog,
  type Platform,
} from './irq';
import { Button, type ButtonPress } from './drivers/button';
import { Lis3dh, type Lis3dhI2c, type Lis3dhSample } from './drivers/lis3dh';
import { MCP23017_PINS, Mcp23017Irq, mcp23017BusFromI2c } from './drivers/mcp23017';
import { Esp32Gpio, type DigitalBankConstructor, type Esp32GpioOptions } from '../hal/esp32';

/** Where the devices are wired (GPIO numbers) and their I2C addresses. */
export const BOARD = Object.freeze({
  buttonGpio: 0,
  accelIntGpio: 27,
  /** The expander's INTA and the sensor's INT, open drain, with the pin's pull-up. */
  sharedIntGpio: 26,
  accelAddress: 0x18,
  expanderAddress: 0x20,
  sensorAddress: 0x48,
  /** Expander pins used as inputs (falling edge): A0..A3. */
  expanderInputs: Object.freeze([0, 1, 2, 3]),
});

const SENSOR_STATUS = 0x00;
const SENSOR_DATA = 0x01;

export interface FirmwareIo {
  platform: Platform;
  DigitalBank: DigitalBankConstructor;
  /** An ECMA-419 I2C object for a device: on the board `new device.io.I2C({ ...device.I2C.default, address })`. */
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
  readonly accel: Lis3dh;
  readonly expander: Mcp23017Irq;
  /** Readings of the level sensor sharing the expander's INT line. */
  readonly sensorReadings: number;
  stop(): Promise<void>;
}

/** Start everything. `coreOptions` adds to the core's options (tracing, statistics, ...). */
export async function startFirmware(
  io: FirmwareIo, events: FirmwareEvents = {}, coreOptions: Omit<IrqCoreOptions, 'platform' | 'log'> = {},
): Promise<Firmware> {
  const core = new IrqCore({ ...coreOptions, platform: io.platform, log: io.log });
  const gpio = new Esp32Gpio(core, { DigitalBank: io.DigitalBank }, { edgeTime: io.edgeTime });

  const buttonIrq = gpio.gpioToIrq(BOARD.buttonGpio, 'pullup');
  const button = new Button({
    // The pin is open while the line is requested; a closed one reads as released.
    core, irq: buttonIrq, readPin: () => gpio.level(BOARD.buttonGpio) ?? 1, onPress: (press) => events.onPress?.(press),
  });
  button.probe();

  const accel = new Lis3dh({
    i2c: io.openI2c(BOARD.accelAddress), core, irq: gpio.gpioToIrq(BOARD.accelIntGpio),
    mode: 'watermark', watermark: 10, rateHz: 100, onSamples: (samples) => events.onSamples?.(samples),
  });
  accel.probe();

  // The shared INT line: the expander's parent (level low, shared, oneshot) and the sensor's handler.
  const sharedIrq = gpio.gpioToIrq(BOARD.sharedIntGpio, 'pullup');
  const expander = new Mcp23017Irq(core, mcp23017BusFromI2c(io.openI2c(BOARD.expanderAddress)), sharedIrq);
  await expander.probe();
  for (const pin of BOARD.expanderInputs) {
    if (pin >= MCP23017_PINS) continue;
    core.requestThreadedIrq(expander.irqOf(pin), null, () => {
      events.onExpanderPin?.(pin);
      return IRQ_HANDLED;
    }, IRQF_TRIGGER_FALLING, `mcp-${pin}`, pin);
  }

  const sensorI2c = io.openI2c(BOARD.sensorAddress);
  const readRegister = (register: number): number => {
    sensorI2c.write(Uint8Array.of(register), false);
    return new Uint8Array(sensorI2c.read(1))[0];
  };
  let sensorReadings = 0;
  const sensor = { name: 'sensor' };
  core.requestThreadedIrq(sharedIrq, null, () => {
    // Reading STATUS clears the sensor's INT; zero means the interrupt was the expander's.
    const status = readRegister(SENSOR_STATUS);
    if (status === 0) return IRQ_NONE;
    sensorReadings++;
    events.onSensor?.(status, readRegister(SENSOR_DATA));
    return IRQ_HANDLED;
  }, IRQF_ONESHOT | IRQF_SHARED | IRQF_TRIGGER_LOW, 'sensor', sensor);

  return {
    core, gpio, button, accel, expander,
    get sensorReadings() {
      return sensorReadings;
    },
    async stop() {
      await core.freeIrq(sharedIrq, sensor);
      await expander.remove();
      await accel.remove();
      await button.remove();
    },
  };
}
