import {
  IRQ_HANDLED, IRQ_NONE, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_HIGH,
  IRQF_NO_AUTOEN, IRQF_TRIGGER_RISING, IRQ_TYPE_LEVEL_LOW,
} from '../../firmware/irq';
import { SimBoard } from '../../hal/mock/board';
import { PulseGenerator, PushButton } from '../../hal/mock/devices';
import { ETS_GPIO_INTR_SOURCE } from '../../hal/mock/intc';
import type { LogEntry } from '../helpers/fake-chip';

function makeBoard() {
  const logs: LogEntry[] = [];
  const board = new SimBoard({ seed: 7, log: (level, message) => logs.push({ level, message }) });
  return { board, logs, sim: board.sim, core: board.core };
}

describe('simulated ESP32 GPIO interrupts', () => {
  test('a rising edge on a pin reaches its handler through the GPIO source line', async () => {
    const { board, sim, core } = makeBoard();
    const out = board.pin(4).pushPull('test');
    out.drive(0);
    const irq = board.gpioToIrq(4);
    const times: number[] = [];
    core.requestIrq(irq, () => (times.push(sim.now()), IRQ_HANDLED), IRQF_TRIGGER_RISING, 'pin4', {});
    await sim.advance(100);
    out.drive(1);
    await sim.advance(100);
    expect(times).toEqual([100]);
    expect(core.irqToDesc(irq)!.count).toBe(1);
    expect(core.irqToDesc(board.gpio.parentIrq)!.count).toBe(1);
    expect(board.intc.delivered(ETS_GPIO_INTR_SOURCE)).toBe(1);
    expect(board.gpio.status).toBe(0);
  });

  test('a falling edge does not fire a rising-edge line', async () => {
    const { board, sim, core } = makeBoard();
    const out = board.pin(5).pushPull('test');
    out.drive(1);
    const irq = board.gpioToIrq(5);
    let calls = 0;
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'pin5', {});
    out.drive(0);
    await sim.runUntilIdle();
    expect(calls).toBe(0);
  });

  test('a bouncing button on a falling-edge line: every edge is handled or counted as coalesced', async () => {
    const { board, sim, core } = makeBoard();
    const button = new PushButton(sim, board.pin(0), { bounces: 3, bounceUs: 2000 });
    const irq = board.gpioToIrq(0);
    let falling = 0;
    board.pin(0).onChange((level) => {
      if (level === 0) falling++;
    });
    let calls = 0;
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_FALLING, 'button', button);
    button.press();
    await sim.advance(5000);
    button.release();
    await sim.advance(5000);
    expect(falling).toBe(button.transitions / 2);
    expect(calls + board.gpio.coalesced(0)).toBe(falling);
    expect(core.irqToDesc(irq)!.count).toBe(calls);
  });

  test('a pin without a trigger type warns at request that it will never interrupt', () => {
    const { board, core, logs } = makeBoard();
    core.requestIrq(board.gpioToIrq(2), () => IRQ_HANDLED, 0, 'untyped', {});
    expect(logs.some((l) => l.level === 'warn' && /GPIO2 started with no trigger type/.test(l.message))).toBe(true);
  });

  test('an edge while the line is disabled is replayed by the hardware (W1TS) on enable', async () => {
    const { board, sim, core } = makeBoard();
    const out = board.pin(12).pushPull('test');
    out.drive(0);
    const irq = board.gpioToIrq(12);
    let calls = 0;
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'pin12', {});
    await core.disableIrq(irq);
    out.drive(1);
    await sim.runUntilIdle();
    expect(calls).toBe(0);
    expect(core.irqToDesc(irq)!.pending).toBe(true);
    expect(board.gpio.intEnabled(12)).toBe(false);
    core.enableIrq(irq);
    await sim.runUntilIdle();
    expect(calls).toBe(1);
    expect(core.irqToDesc(irq)!.resends).toBe(1);
  });

  test('a level line is masked while handled and fires again while the level lasts', async () => {
    const { board, sim, core } = makeBoard();
    const out = board.pin(13).pushPull('test');
    out.drive(0);
    const irq = board.gpioToIrq(13);
    let calls = 0;
    core.requestIrq(irq, () => {
      calls++;
      if (calls === 3) out.drive(0); // the device lets go on the third interrupt
      return IRQ_HANDLED;
    }, IRQF_TRIGGER_HIGH, 'pin13', {});
    out.drive(1);
    await sim.runUntilIdle();
    expect(calls).toBe(3);
    expect(board.gpio.status).toBe(0);
  });

  test('irqSetIrqType switches the pin to a level flow', async () => {
    const { board, sim, core } = makeBoard();
    board.pin(14).setPull('up');
    const drv = board.pin(14).openDrain('dev');
    const irq = board.gpioToIrq(14);
    let calls = 0;
    core.requestIrq(irq, () => {
      calls++;
      drv.release();
      return IRQ_HANDLED;
    }, IRQF_TRIGGER_FALLING, 'pin14', {});
    core.irqSetIrqType(irq, IRQ_TYPE_LEVEL_LOW);
    drv.assert();
    await sim.runUntilIdle();
    expect(calls).toBe(1);
    expect(board.gpio.intType(14)).toBe(4);
  });

  test('irqSetIrqWake records the pin as a wake source', () => {
    const { board, core } = makeBoard();
    const irq = board.gpioToIrq(15);
    core.irqSetIrqWake(irq, true);
    expect(board.gpio.wakeupEnabled(15)).toBe(true);
  });

  test('a stuck level line nobody claims is disabled by the spurious detector', async () => {
    const { board, sim, core, logs } = makeBoard();
    const out = board.pin(16).pushPull('stuck');
    out.drive(0);
    const irq = board.gpioToIrq(16);
    core.requestIrq(irq, () => IRQ_NONE, IRQF_TRIGGER_HIGH, 'deaf', {});
    out.drive(1);
    await sim.runUntilIdle({ maxEvents: 2_000_000 });
    const desc = core.irqToDesc(irq)!;
    expect(desc.spuriousDisabled).toBe(true);
    expect(desc.disabled).toBe(true);
    expect(desc.count).toBe(100_000);
    expect(logs.some((l) => l.level === 'error' && new RegExp(`irq ${irq}: nobody cared.*"deaf"`).test(l.message))).toBe(true);
  }, 60_000);
});

describe('simulated devices behind threaded handlers', () => {
  // A level sensor behind the slow bus with a oneshot thread, and two sensors sharing an open-drain line:
  // host-tests/scenarios/threaded.ts, run on Node by host-tests/scenarios.test.ts and inside XS.

  test('a pulse storm on one pin does not stop another pin from being handled', async () => {
    const { board, sim, core } = makeBoard();
    const storm = new PulseGenerator(sim, board.pin(25), { periodUs: 20, widthUs: 10, count: 500 });
    const stormIrq = board.gpioToIrq(25);
    const victim = board.pin(26).pushPull('victim');
    victim.drive(0);
    const victimIrq = board.gpioToIrq(26);
    let stormCalls = 0;
    const victimTimes: number[] = [];
    core.requestIrq(stormIrq, () => (stormCalls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'storm', {});
    core.requestIrq(victimIrq, () => (victimTimes.push(sim.now()), IRQ_HANDLED), IRQF_TRIGGER_RISING, 'victim', {});
    storm.start();
    sim.after(3_000, () => victim.drive(1));
    await sim.advance(20_000);
    expect(victimTimes).toEqual([3_000]);
    expect(stormCalls + board.gpio.coalesced(25)).toBe(500);
  });
});

describe('simulated interrupt controller', () => {
  test('of two pending sources, the higher priority one is delivered first', async () => {
    const { board, sim, core } = makeBoard();
    const order: string[] = [];
    const UART0 = 34;
    const uartIrq = board.intc.irqOf(UART0);
    core.requestIrq(uartIrq, () => {
      order.push('uart');
      board.intc.setSourceLevel(UART0, false); // the device clears its interrupt
      return IRQ_HANDLED;
    }, 0, 'uart', {});
    const out = board.pin(4).pushPull('test');
    out.drive(0);
    core.requestIrq(board.gpioToIrq(4), () => (order.push('gpio'), IRQ_HANDLED), IRQF_TRIGGER_RISING, 'pin4', {});
    board.intc.setPriority(UART0, 3);
    board.intc.setPriority(ETS_GPIO_INTR_SOURCE, 1);
    out.drive(1);
    board.intc.setSourceLevel(UART0, true);
    await sim.runUntilIdle();
    expect(order).toEqual(['uart', 'gpio']);
  });

  test('a masked source stays pending in the controller and is delivered on unmask', async () => {
    const { board, sim, core } = makeBoard();
    const UART0 = 34;
    const irq = board.intc.irqOf(UART0);
    let calls = 0;
    core.requestIrq(irq, () => {
      calls++;
      board.intc.setSourceLevel(UART0, false);
      return IRQ_HANDLED;
    }, IRQF_NO_AUTOEN, 'uart', {});
    board.intc.setSourceLevel(UART0, true);
    await sim.runUntilIdle();
    expect(calls).toBe(0);
    expect(board.intc.isEnabled(UART0)).toBe(false);
    core.enableIrq(irq);
    await sim.runUntilIdle();
    expect(calls).toBe(1);
  });
});
