/*
 * Moddable's preload runs the firmware modules at build time and freezes every export, class and prototype,
 * and the built-ins. This suite freezes hal/esp32 (and the core, and the fakes standing in for Moddable's
 * native layer) the same way before anything is created, then drives the HAL: an edge, a lazily masked
 * replay, an emulated level line with a oneshot thread, a type change that reopens a bank, wake sources and
 * the platform. Anything that writes to a frozen object throws here as it would on the board.
 */
import * as irq from '../../firmware/irq';
import {
  IRQ_HANDLED, IRQ_TYPE_EDGE_RISING, IRQF_ONESHOT, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING, IrqCore,
} from '../../firmware/irq';
import * as esp32 from '../../hal/esp32';
import * as gpioModule from '../../hal/esp32/gpio';
import * as pinsModule from '../../hal/esp32/pins';
import * as platformModule from '../../hal/esp32/platform';
import * as wakeModule from '../../hal/esp32/wake';
import * as fakeDigital from '../../hal/mock/ecma419/digital';
import * as fakeDigitalBank from '../../hal/mock/ecma419/digitalbank';
import { SimBoard } from '../../hal/mock/board';
import { freezeLikePreload } from '../helpers/freeze';
import { createTime } from '../../hal/mock/moddable/time';
import { createTimer } from '../../hal/mock/moddable/timer';

beforeAll(() => {
  freezeLikePreload([irq, esp32, gpioModule, pinsModule, platformModule, wakeModule, fakeDigital, fakeDigitalBank]);
});

test('the ESP32 HAL runs with its module exports, classes and prototypes frozen', async () => {
  expect(Object.isFrozen(esp32.Esp32Gpio.prototype)).toBe(true);
  for (const soc of esp32.ESP32_SOCS) {
    const table = esp32.socPins(soc);
    expect(Object.isFrozen(table)).toBe(true);
    expect(Object.isFrozen(table.validMask) && Object.isFrozen(table.deepSleepWake) && Object.isFrozen(table.caution)).toBe(true);
  }
  const board = new SimBoard({ seed: 5 });
  const sim = board.sim;
  const logs: string[] = [];
  const core = new IrqCore({ platform: esp32.createEsp32Platform({ Time: createTime(sim, { microseconds: true }), Timer: createTimer(sim) }), log: (_l, m) => logs.push(m) });
  const io = fakeDigital.createFakeDigitalIo(board, { latencyUs: 25 });
  const gpio = new esp32.Esp32Gpio(core, io, { soc: 'esp32', deepSleepWake: true });

  // An edge, then a replay after a lazy disable.
  const out = board.pin(12).pushPull('test');
  out.drive(0);
  const edgeIrq = gpio.gpioToIrq(12);
  let edges = 0;
  core.requestIrq(edgeIrq, () => (edges++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'edge', {});
  out.drive(1);
  await sim.advance(1_000);
  await core.disableIrq(edgeIrq);
  out.drive(0);
  out.drive(1);
  await sim.advance(1_000);
  core.enableIrq(edgeIrq);
  await sim.advance(1_000);
  expect(edges).toBe(2);
  expect(gpio.stats.replays).toBe(1);

  // An emulated level-low line with a oneshot thread, retriggered once.
  board.pin(4).setPull('up');
  const intLine = board.pin(4).openDrain('dev');
  const levelIrq = gpio.gpioToIrq(4, 'pullup');
  let runs = 0;
  core.requestThreadedIrq(levelIrq, null, async () => {
    runs++;
    await new Promise<void>((resolve) => sim.after(500, resolve));
    if (runs === 2) intLine.release();
    return IRQ_HANDLED;
  }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'level', {});
  intLine.assert();
  await sim.advance(10_000);
  expect(runs).toBe(2);
  expect(gpio.stats.levelRetriggers).toBe(1);

  // Wake sources, a refused one, and a type change that reopens a bank.
  core.irqSetIrqWake(levelIrq, true);
  expect(gpio.wakeSources().ext1).toEqual({ pins: [4], mask: 16, mode: 'all-low' });
  expect(() => core.irqSetIrqWake(edgeIrq, true)).toThrow(/ENOSYS/);
  const other = gpio.gpioToIrq(13);
  const otherDev = {};
  core.requestIrq(other, () => IRQ_HANDLED, IRQF_TRIGGER_FALLING, 'other', otherDev);
  core.irqSetIrqType(other, IRQ_TYPE_EDGE_RISING);
  expect(gpio.stats.reopens).toBe(1);
  expect(core.procInterrupts()).toMatch(/esp32-gpio/);
  await expect(core.freeIrq(other, otherDev)).resolves.toBe('other');
  expect(gpio.pinInfo(13).open).toBe(false);
  expect(logs).toEqual([]);
});
