/*
 * The newer machinery on the simulated board, in both lanes: shared and forced threads, the nested MCP23017
 * expander, storm polling, tracing, and the whole firmware/app with its three drivers through the ECMA-419
 * fakes (the ESP32 HAL, the button, LIS3DH and MCP23017 drivers) — so XS runs them with the firmware frozen.
 */
import { IRQ_HANDLED, IRQ_WAKE_THREAD, IRQF_TRIGGER_RISING, IrqCore, handleLevelIrq } from '../../firmware/irq';
import { startFirmwareBoard } from '../../hal/mock/firmware-board';
import type { Scenario } from './assert';
import { makeBoard, sleep } from './board';

export const firmwareScenarios: readonly Scenario[] = [
  {
    name: 'threads: a sleeping handler in a shared thread holds back its siblings but not another thread',
    async run(t) {
      const { sim, core } = makeBoard();
      const chip = { name: 'chip', irqMask() {}, irqUnmask() {} };
      const lines = [core.irqAllocDesc(), core.irqAllocDesc(), core.irqAllocDesc()];
      for (const irq of lines) core.irqSetChipAndHandler(irq, chip, handleLevelIrq);
      const done: string[] = [];
      core.requestIrqSharedThread(lines[0], () => IRQ_WAKE_THREAD, async () => (await sleep(sim, 1000), done.push('sleeper'), IRQ_HANDLED), 0, 'sleeper', 's', 0);
      core.requestIrqSharedThread(lines[1], () => IRQ_WAKE_THREAD, () => (done.push('sibling'), IRQ_HANDLED), 0, 'sibling', 'b', 0);
      core.requestThreadedIrq(lines[2], () => IRQ_WAKE_THREAD, () => (done.push('other'), IRQ_HANDLED), 0, 'other', 'o');
      for (const irq of lines) core.irqWakeThread(irq, irq === lines[0] ? 's' : irq === lines[1] ? 'b' : 'o');
      await sim.advance(500);
      t.deepEqual(done, ['other'], 'only the other thread ran while the shared one sleeps');
      t.equal(core.irqThreads().find((x) => x.name === 'irq/shared-0')!.holding, lines[0], 'the listing shows the holder');
      await sim.advance(2000);
      t.deepEqual(done, ['other', 'sleeper', 'sibling'], 'the sibling ran after the sleeper');
    },
  },
  {
    name: 'threads: forced threading runs a primary handler in its thread and the threadFn in a secondary',
    async run(t) {
      const { sim } = makeBoard();
      const core = new IrqCore({ platform: sim.platform, forceThreading: true, log: () => {} });
      const irq = core.irqAllocDesc();
      core.irqSetChipAndHandler(irq, { name: 'chip', irqMask() {}, irqUnmask() {} }, handleLevelIrq);
      const order: string[] = [];
      core.requestThreadedIrq(irq, () => (order.push('primary'), IRQ_WAKE_THREAD), () => (order.push('thread'), IRQ_HANDLED), 0, 'dev', 'd');
      t.deepEqual(core.irqThreads().map((x) => x.name), [`irq/${irq}-dev`, `irq/${irq}-s-dev`], 'two threads');
      core.irqWakeThread(irq, 'd');
      await sim.runUntilIdle();
      t.deepEqual(order, ['primary', 'thread'], 'primary in its thread, then the secondary');
    },
  },
  {
    name: 'storms: a line taking more than its CPU budget is polled, and every pulse is handled or merged',
    async run(t) {
      const { board, sim, core, gpio } = makeBoard();
      const out = board.pin(25).pushPull('storm');
      out.drive(0);
      const irq = board.gpioToIrq(25);
      let handled = 0;
      core.requestIrq(irq, () => (handled++, sim.spend(15), IRQ_HANDLED), IRQF_TRIGGER_RISING, 'storm', out);
      let pulses = 0;
      const pulse = (): void => {
        out.drive(1);
        out.drive(0);
        pulses++;
        if (pulses < 5_000) sim.after(20, pulse);
      };
      sim.after(20, pulse);
      await sim.advance(200_000);
      t.equal(core.irqToDesc(irq)!.stormSwitches >= 1, true, 'switched to polling');
      t.equal(handled + board.provider.fakes.digital.coalesced(25) + gpio.pinInfo(25).coalesced, pulses, 'every pulse handled or merged');
    },
  },
  {
    name: 'firmware: the app with its three drivers serves every press, sample, expander edge and sensor event',
    async run(t) {
      const run = await startFirmwareBoard({ core: { trace: { capacity: 4096 }, stats: true } });
      run.feed(1_000_000);
      await run.board.sim.advance(1_100_000);
      const { counts, devices, firmware } = run;
      t.equal(counts.presses.length, devices.button.presses, 'presses');
      t.equal(counts.samples >= 100, true, `samples ${counts.samples}`);
      t.equal(counts.sensorValues, devices.sensor.eventsRaised, 'sensor events');
      t.equal(counts.expanderPins > 0, true, 'expander edges');
      t.equal(firmware.accel?.overruns, 0, 'no overrun');
      const trace = firmware.core.irqTraceChrome();
      t.equal(trace.traceEvents.some((e) => e.ph === 'X' && e.cat === 'thread'), true, 'thread runs traced');
    },
  },
];
