/*
 * The demo app (examples/demo/app.ts) on the simulated ESP32 board: the board's devices wired as the demo
 * manifest's config says for the original ESP32 (examples/demo/manifest.json, read by the demo's own wiring.ts), the
 * plain `-p esp32` provider fake (hal/mock/ecma419/provider.ts: `io` and `pin` only) in place of Moddable's IO, its
 * I2C options made as the demo's main makes them (i2cBusOptions), and realistic input (button presses with bounce, the
 * accelerometer sampling at 100 Hz, expander pins toggling, the sensor raising data-ready). `npm start`
 * (hal/mock/demo.ts) prints what this runs; host-tests check it.
 */
import { DEVICES, startFirmware, type DemoPins, type Firmware } from '../../examples/demo/app';
import { demoWiring } from '../../examples/demo/wiring';
import demoManifest from '../../examples/demo/manifest.json';
import type { IrqCoreOptions } from '../../firmware/irq';
import type { ButtonPress } from '../../firmware/drivers/button';
import { SimBoard } from './board';
import { reportIrqStalls } from './stall';
import { LevelSensor, Lis3dh, Mcp23017, PushButton } from './devices';
import { createFakeProvider } from './ecma419/provider';
import { i2cBusOptions } from '../esp32/i2c-options';
import type { Simulator } from './sim';
import type { PushPullDriver } from './wire';

export interface FirmwareBoardOptions {
  seed?: number;
  /** IrqCore options for the firmware's core (trace, stats, ...). */
  core?: Omit<IrqCoreOptions, 'platform' | 'log'>;
  log?: (level: string, message: string) => void;
}

export interface FirmwareBoardCounts {
  /** Every press the button reported, in order. */
  presses: ButtonPress[];
  samples: number;
  expanderPins: number;
  sensorValues: number;
}

export interface FirmwareBoard {
  readonly board: SimBoard;
  readonly firmware: Firmware;
  readonly counts: FirmwareBoardCounts;
  readonly devices: { button: PushButton; accel: Lis3dh; expander: Mcp23017; sensor: LevelSensor };
  /** The GPIOs the devices are wired to (the demo manifest's config for the original ESP32). */
  readonly pins: DemoPins;
  /** Schedule the input for `durationUs` of virtual time from now. */
  feed(durationUs: number): void;
}

/**
 * The simulated board the demo runs on, without the firmware: the plain-esp32 provider fake and the demo's devices
 * wired as its manifest's config says for the original ESP32. The memory bench builds it alone as its baseline.
 */
export function buildDemoBoard(seed = 1) {
  const wiring = demoWiring({ ...demoManifest.config, genirq: { soc: 'esp32' } });
  const { pins } = wiring;
  const board = new SimBoard({ seed });
  const { sim } = board;
  const provider = createFakeProvider(board, { shape: 'esp32', latencyUs: 20 });
  const button = new PushButton(sim, board.pin(pins.button), { bounces: 4, bounceUs: 2_000 });
  const accel = new Lis3dh(sim, board.i2c, DEVICES.accelAddress, { int1: board.pin(pins.accelInt) });
  accel.setSignal((t) => ({ x: Math.sin(t / 200_000), y: Math.cos(t / 200_000), z: 1 }));
  const expander = new Mcp23017(sim, board.i2c, DEVICES.expanderAddress, { intA: board.pin(pins.sharedInt) });
  const sensor = new LevelSensor(sim, board.i2c, DEVICES.sensorAddress, board.pin(pins.sharedInt));
  return { wiring, board, provider, devices: { button, accel, expander, sensor } };
}

/** The switches on the expander's input pins, released (high). */
export function connectExpanderInputs(expander: Mcp23017): PushPullDriver[] {
  return DEVICES.expanderInputs.map((pin) => {
    const driver = expander.pin(pin).pushPull(`switch${pin}`);
    driver.drive(1);
    return driver;
  });
}

export async function startFirmwareBoard(options: FirmwareBoardOptions = {}): Promise<FirmwareBoard> {
  const { wiring, board, provider, devices } = buildDemoBoard(options.seed ?? 1);
  const { button, accel, expander, sensor } = devices;
  const { pins } = wiring;
  const { sim } = board;
  const bus = i2cBusOptions(provider.device, wiring.i2c);
  const { I2C, DigitalBank } = provider.device.io;

  const counts: FirmwareBoardCounts = { presses: [], samples: 0, expanderPins: 0, sensorValues: 0 };
  const started = startFirmware({
    platform: sim.platform,
    soc: wiring.soc,
    pins,
    DigitalBank,
    openI2c: (address) => new I2C({ ...bus, address }),
    log: options.log,
    edgeTime: provider.fakes.digital.edgeTime,
  }, {
    onPress: (press) => counts.presses.push(press),
    onSamples: (samples) => (counts.samples += samples.length),
    onExpanderPin: () => counts.expanderPins++,
    onSensor: () => counts.sensorValues++,
  }, options.core);
  await sim.advance(10_000); // the expander's probe runs on the simulated bus
  const firmware = await started;
  reportIrqStalls(sim, firmware.core);

  const inputs = connectExpanderInputs(expander);

  return {
    board, firmware, counts, devices: { button, accel, expander, sensor }, pins,
    feed: (durationUs) => scheduleDemoInput(sim, { button, sensor, inputs }, durationUs),
  };
}

/**
 * The demo's realistic input for `durationUs` from now: a press every ~700 ms, held 120-300 ms; the expander's
 * switches toggling every 150-450 ms; the sensor raising data-ready every ~330 ms. Shared with the memory bench's
 * run without firmware (host-tests/xs/demo-memory.ts), so both see the same events.
 */
export function scheduleDemoInput(
  sim: Simulator, devices: { button: PushButton; sensor: LevelSensor; inputs: readonly PushPullDriver[] }, durationUs: number,
): void {
  const { button, sensor, inputs } = devices;
  const start = sim.now();
  const end = start + durationUs;
  for (let t = start + 100_000; t < end; t += 600_000 + Math.round(sim.random() * 200_000)) {
    const hold = 120_000 + Math.round(sim.random() * 180_000);
    sim.at(t, () => button.click(hold));
  }
  inputs.forEach((driver, i) => {
    let level: 0 | 1 = 1;
    for (let t = start + 50_000 * (i + 1); t < end; t += 150_000 + Math.round(sim.random() * 300_000)) {
      level = level ? 0 : 1;
      const next = level;
      sim.at(t, () => driver.drive(next));
    }
  });
  for (let t = start + 80_000, n = 0; t < end; t += 330_000, n++) sim.at(t, () => sensor.raise(1, n & 0xff));
}
