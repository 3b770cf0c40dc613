/*
 * A handler that makes no progress on the simulated board: a level-low device nobody clears, on the ESP32
 * HAL chip through the ECMA-419 fakes, with a oneshot thread that returns IRQ_HANDLED without touching the
 * device. The HAL's level emulation re-enters the line after every thread run, at the same instant.
 */
import { IRQ_HANDLED, IRQF_ONESHOT, IRQF_TRIGGER_LOW } from '../../firmware/irq';
import { bootSimBoard, type BootOptions } from '../../hal/mock/boot';
import { SimStallError } from '../../hal/mock/sim';

const PIN = 4;

/** The device pulls GPIO4 low for good; the driver's thread never clears it. */
function stuckLevelDevice(options: BootOptions) {
  const booted = bootSimBoard(options);
  booted.pin(PIN).openDrain('sensor').assert();
  const irq = booted.gpioToIrq(PIN, 'pullup');
  booted.core.requestThreadedIrq(irq, null, () => IRQ_HANDLED, IRQF_TRIGGER_LOW | IRQF_ONESHOT, 'sensor');
  return { ...booted, irq };
}

test('with an idealised CPU the run stops with a SimStallError naming the irq and its thread', async () => {
  const { sim, irq } = stuckLevelDevice({ cpu: { hardirqUs: 0, threadUs: 0 } });
  const error = await sim.advance(1_000).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SimStallError);
  const message = (error as SimStallError).message;
  expect(message).toContain(`irq ${irq} (sensor)`);
  expect(message).toContain(`thread irq/${irq}-sensor`);
  expect(sim.now()).toBe(0);
}, 60_000);

test("with the board's default CPU cost the same storm takes virtual time, and the run returns", async () => {
  const { sim, core, irq } = stuckLevelDevice({});
  await sim.advance(10_000);
  expect(sim.now()).toBeGreaterThanOrEqual(10_000);
  // Every pass through the line costs a hardirq and a thread burst: about 10,000 / 15 of them, not millions.
  const count = core.irqToDesc(irq)!.count;
  expect(count).toBeGreaterThan(100);
  expect(count).toBeLessThanOrEqual(10_000 / 15 + 1);
});

test("the board's CPU cost is billed to the line: the storm detector switches the stuck line to polling", async () => {
  const { sim, core, irq } = stuckLevelDevice({});
  const polled: number[] = [];
  core.onIrqEvent((event) => {
    if (event.kind === 'storm-poll') polled.push(event.irq);
  });
  await sim.advance(300_000);
  expect(polled).toContain(irq);
});

