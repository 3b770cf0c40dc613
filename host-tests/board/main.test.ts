/*
 * The demo's device entry itself: examples/demo/main.ts's default export, run as Moddable runs it, against the
 * two provider shapes Moddable ships for the ESP32 (plain `-p esp32`: `io` and `pin` only; a board subplatform:
 * `I2C.default` with `io`, `data`, `clock` and no `hz`), with the demo manifest's config, Moddable's Time (with
 * the microseconds module) and Timer, all faked after Moddable's sources and wired to a simulated board. On a bare
 * board (nothing on the I2C bus) and on a wired one (the demo's devices where the config says).
 */
import { DEVICES } from '../../examples/demo/app';
import main from '../../examples/demo/main';
import demoManifest from '../../examples/demo/manifest.json';
import { SimBoard } from '../../hal/mock/board';
import { LevelSensor, Lis3dh, Mcp23017, PushButton } from '../../hal/mock/devices';
import { createFakeProvider, type FakeProviderShape } from '../../hal/mock/ecma419/provider';
import { createTime } from '../../hal/mock/moddable/time';
import { createTimer } from '../../hal/mock/moddable/timer';
import { installModdable, uninstallModdable } from '../helpers/moddable/installed';

const wiring = demoManifest.config.demo.esp32;

interface Run {
  board: SimBoard;
  button: PushButton;
  traces: string[];
}

/** Install the Moddable modules for this board and call main() as Moddable's runtime does. */
async function start(shape: FakeProviderShape, options: { wired: boolean; config?: object }): Promise<Run> {
  const board = new SimBoard({ soc: 'esp32' });
  const { sim } = board;
  const provider = createFakeProvider(board, { shape, latencyUs: 20 });
  const button = new PushButton(sim, board.pin(wiring.button), { bounces: 2, bounceUs: 1_000 });
  if (options.wired) {
    const accel = new Lis3dh(sim, board.i2c, DEVICES.accelAddress, { int1: board.pin(wiring.accelInt) });
    accel.setSignal(() => ({ x: 0, y: 0, z: 1 }));
    new Mcp23017(sim, board.i2c, DEVICES.expanderAddress, { intA: board.pin(wiring.sharedInt) });
    new LevelSensor(sim, board.i2c, DEVICES.sensorAddress, board.pin(wiring.sharedInt));
  }
  const traces: string[] = [];
  (globalThis as { trace?: (message: string) => void }).trace = (message) => traces.push(message.trimEnd());
  installModdable({
    device: provider.device,
    config: options.config ?? { ...demoManifest.config, genirq: { soc: 'esp32' } },
    Time: createTime(sim, { microseconds: true }),
    Timer: createTimer(sim),
  });
  main();
  await sim.advance(20_000); // the probes run on the simulated bus
  return { board, button, traces };
}

async function press(run: Run): Promise<void> {
  run.button.click(100_000);
  await run.board.sim.advance(200_000);
}

afterEach(() => {
  uninstallModdable();
  delete (globalThis as { trace?: unknown }).trace;
});

describe.each([['esp32'], ['board']] as const)('examples/demo/main on the %s provider shape', (shape) => {
  test('on a bare board it starts, names each missing device with its address, and serves the button', async () => {
    const run = await start(shape, { wired: false });
    expect(run.traces.filter((t) => /no answer at/.test(t))).toEqual([
      expect.stringMatching(/^warn: lis3dh: no answer at 0x18/),
      expect.stringMatching(/^warn: mcp23017: no answer at 0x20/),
      expect.stringMatching(/^warn: sensor: no answer at 0x48/),
    ]);
    expect(run.traces.filter((t) => t.startsWith('error'))).toEqual([]);
    await press(run);
    expect(run.traces.filter((t) => t.startsWith('button: press'))).toHaveLength(1);
  });

  test('on a wired board every device is found and served', async () => {
    const run = await start(shape, { wired: true });
    await run.board.sim.advance(300_000);
    await press(run);
    expect(run.traces.filter((t) => /no answer|error/.test(t))).toEqual([]);
    expect(run.traces.some((t) => t.startsWith('accel: '))).toBe(true);
    expect(run.traces.filter((t) => t.startsWith('button: press'))).toHaveLength(1);
  });

  test('logs once which clock it runs on: Time.microseconds, the microseconds module being in the build', async () => {
    const run = await start(shape, { wired: false });
    expect(run.traces.filter((t) => /clock: /.test(t))).toEqual([expect.stringMatching(/Time\.microseconds/)]);
  });
});

test('on a board subplatform with no I2C pins in the config, the board\'s I2C.default pins are used, with hz set', async () => {
  const { data: _data, clock: _clock, ...pins } = wiring;
  const config = { genirq: { soc: 'esp32' }, demo: { hz: 400_000, esp32: pins } };
  const run = await start('board', { wired: true, config });
  expect(run.traces).toContainEqual(expect.stringMatching(/I2C data 21 clock 22 at 400000 Hz/));
  expect(run.traces.filter((t) => /no answer|error/.test(t))).toEqual([]);
});

test('on plain esp32 with no I2C pins in the config, the I2C devices are left out with the reason and the button still works', async () => {
  const { data: _data, clock: _clock, ...pins } = wiring;
  const run = await start('esp32', { wired: true, config: { genirq: { soc: 'esp32' }, demo: { esp32: pins } } });
  const missing = run.traces.filter((t) => /no answer at/.test(t));
  expect(missing).toHaveLength(3);
  for (const line of missing) expect(line).toMatch(/no I2C pins: this build's provider has no I2C.default/);
  await press(run);
  expect(run.traces.filter((t) => t.startsWith('button: press'))).toHaveLength(1);
});

test('a config without the chip names the manifest to include, and main does not throw', async () => {
  const run = await start('board', { wired: false, config: { demo: demoManifest.config.demo } });
  expect(run.traces).toEqual([expect.stringMatching(/^error: start-up failed: EINVAL: config\.genirq\.soc is undefined: include genirq's manifests\/esp32\.json/)]);
});
