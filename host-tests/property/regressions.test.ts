/*
 * Counterexamples the property suites found, shrunk by hand to their smallest form, as plain tests named after
 * the behaviour they expect. Each describe names a bug that was found this way; the properties check the same
 * behaviour strictly (any violation fails them: there is no list of tolerated defects), and these tests pin it
 * down in a form that reads at a glance.
 *
 * The board cases run on the stack that ships (hal/mock/boot.ts: the ESP32 HAL chip over Moddable's ECMA-419
 * fakes over the GPIO peripheral model). Those first found on the old mock chip (hal/mock/gpio.ts, deleted)
 * keep their intent on it; the two that were about that chip's own code say what they check now. The native-*
 * cases, found by the board property on the native chip, run on hal/mock/native/boot.ts (its C built for the host).
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_WAKE_THREAD, IRQF_NO_AUTOEN,
  IRQF_ONESHOT, IRQF_SHARED, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_HIGH, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING, handleEdgeIrq,
  type IrqCoreOptions,
} from '../../firmware/irq';
import { NATIVE_LINE_COUNTERS, NATIVE_LINE_DROPPED, NATIVE_LINE_SEQNO } from '../../hal/esp32/native-gpio-module';
import { bootSimBoard, type BootedBoard, type BootOptions } from '../../hal/mock/boot';
import { bootNativeSimBoard, type NativeBootOptions } from '../../hal/mock/native/boot';
import { LevelSensor, SENSOR_STATUS } from '../../hal/mock/devices';
import { makeLine, type LogEntry } from '../helpers/fake-chip';
import { sleep } from '../helpers/threads';

/** The board as it ships, with the core's log collected. */
function board(coreOptions: Omit<IrqCoreOptions, 'platform' | 'log'> = {}, options: BootOptions = {}) {
  const logs: LogEntry[] = [];
  const b = bootSimBoard({ seed: 1, ...options, core: coreOptions, log: (level, message) => logs.push({ level, message }) });
  return { board: b, sim: b.sim, core: b.core, logs };
}

/** A pin driven by the test, requested on rising edges by a handler that counts its calls. */
function edgePin(b: BootedBoard, pin = 4) {
  const out = b.pin(pin).pushPull('test');
  out.drive(0);
  const irq = b.gpioToIrq(pin);
  const calls = { n: 0 };
  const handler = () => (calls.n++, IRQ_HANDLED);
  const edge = (): void => {
    out.drive(1);
    out.drive(0);
  };
  return { irq, calls, handler, edge, out };
}

/** A level sensor (active low, open-drain with the board's pull-up) on GPIO25, read by a oneshot thread. */
function sensorLine(b: BootedBoard, pin = 25, address = 0x18) {
  b.pin(pin).setPull('up');
  const sensor = new LevelSensor(b.sim, b.i2c, address, b.pin(pin));
  return { sensor, irq: b.gpioToIrq(pin, 'pullup') };
}

describe('noAutoenOnStartedLine: IRQF_NO_AUTOEN on a line enabled before any request leaves it disabled and masked (depth 1)', () => {
  // Found by the board property: [enable e4, request e4 IRQF_NO_AUTOEN] -> "disabled is false at depth 1".
  // Cause, before the fix: requestThreadedIrq's IRQF_NO_AUTOEN branch only sets depth = 1; a line that enableIrq had started
  // before any request (the kernel allows that too) stays enabled and unmasked.
  test('a line requested with IRQF_NO_AUTOEN is disabled even if it was enabled before the request', async () => {
    const { board: b, sim, core } = board();
    const { irq, calls, handler, edge } = edgePin(b);
    core.enableIrq(irq); // no action yet: the line starts (depth 1 -> 0)
    core.requestIrq(irq, handler, IRQF_NO_AUTOEN | IRQF_TRIGGER_RISING, 'late', {});
    expect(core.irqToDesc(irq)!.depth).toBe(1);
    edge();
    await sim.advance(100);
    expect(calls.n).toBe(0); // was: the handler runs at depth 1
    expect(core.irqToDesc(irq)!.disabled).toBe(true);
  });
});

describe('enableUnmasksOneshot: enableIrq keeps a oneshot line masked while a thread woken for it is still running', () => {
  // Found by the board property: [request s6 oneshot async thread, raise, advance 0, disable (not awaited),
  // enable] -> "oneshot thread has not finished but the line is unmasked". Cause, before the fix: enableIrq at depth 1 goes
  // through irqStartup -> irqEnable -> unmaskIrq, which does not look at threadsOneshot (condUnmaskIrq and
  // irqFinalizeOneshot do). The kernel's irq_enable does the same, but there disable_irq waits for the thread
  // first; here disableIrq returns a promise, and disableIrqNosync + enableIrq is the same race. The sensor's
  // INT is still asserted, so the line fires again: an extra hardirq and an extra thread run.
  test('enableIrq keeps a oneshot level line masked while its thread has not finished', async () => {
    const { board: b, sim, core } = board();
    const { sensor, irq } = sensorLine(b);
    let runs = 0;
    core.requestThreadedIrq(irq, null, async () => {
      runs++;
      return (await b.i2c.readRegister(0x18, SENSOR_STATUS)) !== 0 ? IRQ_HANDLED : IRQ_NONE;
    }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'sensor', sensor);
    sensor.raise();
    await sim.advance(50); // hardirq done, the thread's I2C read in flight, the line masked
    expect(core.irqToDesc(irq)!.masked).toBe(true);
    core.disableIrqNosync(irq);
    core.enableIrq(irq);
    expect(core.irqToDesc(irq)!.masked).toBe(true); // was: unmasked while the thread still runs
    await sim.advance(2_000);
    expect(runs).toBe(1);
  });
});

describe('requestDropsPendingEdge: a first request keeps a pending (deferred) edge, and its startup replays it, as the kernel does', () => {
  // Found by the board property (strict): [request e5 rising, disable, edge, advance, free, request e5] ->
  // "deferred 1 != resends 0 + pending 0". Cause, before the fix: requestThreadedIrq sets desc.pending = false for the first
  // action, so irqStartup's checkIrqResend has nothing to replay. The kernel's __setup_irq keeps IRQS_PENDING
  // (it clears AUTODETECT, SPURIOUS_DISABLED, ONESHOT and WAITING) and irq_startup(desc, IRQ_RESEND) replays it;
  // the interrupt table says DEFERRED is "replayed or still pending".
  test('an edge deferred on a disabled line is replayed for the next request after a free', async () => {
    const { board: b, sim, core } = board();
    const { irq, calls, handler, edge } = edgePin(b);
    core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'first', 1);
    core.disableIrqNosync(irq);
    edge();
    await sim.advance(100);
    expect(core.irqToDesc(irq)!).toMatchObject({ deferred: 1, pending: true });
    await core.freeIrq(irq, 1);
    core.requestIrq(irq, handler, 0, 'second', 2); // no trigger flags: the pin keeps its type
    await sim.advance(100);
    expect(calls.n).toBe(1); // was: the pending edge was dropped by the request
    expect(core.irqToDesc(irq)!.resends).toBe(1);
  });
});

describe("finalizeUnmasksActionlessLine: a freed action's oneshot thread finishing leaves a line with no action masked", () => {
  // Found by the board property: [request e5 oneshot async thread, edge, advance, free, enable, edge, advance]
  // -> "deferred 2 != resends 1 + pending 0": two deferred edges became one pending flag, counted nowhere.
  // Cause, before the fix: irqFinalizeOneshot unmasks when threadsOneshot reaches 0 and the line is not disabled, without
  // checking that the line still has an action (storm.ts's mayUnmask does check). Here the freed action's
  // thread finishes after enableIrq started the now actionless line, so the line reopens, and the next edge is
  // deferred into the pending flag a first one already set.
  test("a freed oneshot action's thread finishing leaves a line with no action masked", async () => {
    const { board: b, sim, core } = board();
    const { irq, edge } = edgePin(b, 5);
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, async () => {
      await sleep(sim, 400);
      return IRQ_HANDLED;
    }, IRQF_ONESHOT | IRQF_TRIGGER_RISING, 'slow', 1);
    edge();
    await sim.advance(10); // the thread sleeps
    const freed = core.freeIrq(irq, 1);
    core.enableIrq(irq); // depth 1 -> 0: the line starts with no action
    edge();
    await sim.advance(10);
    expect(core.irqToDesc(irq)!).toMatchObject({ deferred: 1, pending: true, masked: true });
    await sim.advance(1_000); // the thread finishes
    await freed;
    expect(core.irqToDesc(irq)!.masked).toBe(true); // was: unmasked by irqFinalizeOneshot
  });
});

describe('requestKeepsFailDisabled: a first request clears failDisabled, left by a failing thread of an earlier action', () => {
  // Found by the board property: [request p7 oneshot thread that throws, raise, advance, free, request p7] ->
  // "failDisabled on an enabled line". Cause, before the fix: the first request clears spuriousDisabled and starts the line,
  // but leaves failDisabled set, so the table still says "thread-failing" for a working line.
  test('a line disabled for a failing thread, freed and requested again, is no longer failDisabled', async () => {
    const { board: b, sim, core } = board({ threadRetries: 3 });
    const sensor = new LevelSensor(sim, b.i2c, 0x1a, b.pin(18), { activeLow: false });
    const irq = b.gpioToIrq(18);
    core.requestThreadedIrq(irq, null, () => {
      throw new Error('broken');
    }, IRQF_ONESHOT | IRQF_TRIGGER_HIGH, 'broken', 1);
    sensor.raise();
    await sim.advance(1_000);
    expect(core.irqToDesc(irq)!).toMatchObject({ failDisabled: true, disabled: true });
    await core.freeIrq(irq, 1);
    core.requestThreadedIrq(irq, null, async () => ((await b.i2c.readRegister(0x1a, SENSOR_STATUS)) ? IRQ_HANDLED : IRQ_NONE),
      IRQF_ONESHOT | IRQF_TRIGGER_HIGH, 'fixed', 2);
    await sim.advance(1_000);
    expect(core.irqToDesc(irq)!.disabled).toBe(false);
    expect(sensor.eventsCleared).toBe(1);
    expect(core.irqToDesc(irq)!.failDisabled).toBe(false); // was: still set
    expect(core.procInterrupts()).not.toMatch(/thread-failing/);
  });
});

describe("sharerWithoutTriggerRefused: a request with no trigger flags gets the line's trigger type (the kernel's __setup_irq)", () => {
  // Found while modelling requests for the board property. The kernel's __setup_irq starts with
  // "if (!(new->flags & IRQF_TRIGGER_MASK)) new->flags |= irqd_get_trigger_type(&desc->irq_data)": a sharer
  // that names no trigger type gets the line's. The sharing check compared the line's type with 0.
  test('a sharer that gives no trigger type shares a line whose type is set', () => {
    const { core, irq, desc } = makeLine({}, handleEdgeIrq);
    core.requestIrq(irq, () => IRQ_HANDLED, IRQF_SHARED | IRQF_TRIGGER_RISING, 'a', 1);
    expect(() => core.requestIrq(irq, () => IRQ_HANDLED, IRQF_SHARED, 'b', 2)).not.toThrow(); // was: EBUSY
    expect(desc().actions).toEqual(['a', 'b']);
    expect(desc().triggerType).toBe(IRQ_TYPE_EDGE_RISING);
  });
});

describe("watchdogRejectsFree: the watchdog rejects only whole-line waits begun during a stuck run, never freeIrq's", () => {
  // Found by the board property: [request thread-hang, event, advance, free, advance 25 ms] -> "freeIrq
  // rejected: EDEADLK ... a thread that waits for its own line waits for itself". Cause, before the fix: ThreadWatchdog.stuck
  // rejects every waiter of the line that began after the stuck run started, freeIrq's (which waits for one
  // action) included, before it abandons the run; freeIrq's .then, which retires the thread, never runs.
  const hang = () => new Promise<number>(() => {});

  test('freeIrq of an action whose stuck run the watchdog abandons resolves, and its thread is retired', async () => {
    const { sim, core, irq } = makeLine({}, handleEdgeIrq, { watchdog: { timeoutUs: 1_000, action: 'disable' } });
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, hang, IRQF_TRIGGER_RISING, 'hung', 1);
    core.genericHandleIrq(irq);
    await sim.advance(100); // the thread hangs
    const result: { value?: unknown; error?: unknown } = {};
    core.freeIrq(irq, 1).then((value) => (result.value = value), (error: unknown) => (result.error = error));
    await sim.advance(2_000); // the watchdog reports and abandons the run
    expect(result.error).toBeUndefined(); // was: EDEADLK
    expect(result.value).toBe('hung');
    expect(core.irqThreads().map((t) => t.name)).toEqual([]);
  });

  test("freeIrq of a sharer is not rejected because another sharer's thread is stuck", async () => {
    const { sim, core, irq } = makeLine({}, handleEdgeIrq, { watchdog: { timeoutUs: 1_000, action: 'disable' } });
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, hang, IRQF_SHARED | IRQF_TRIGGER_RISING, 'hung', 1);
    let interrupts = 0;
    core.requestThreadedIrq(irq, () => (interrupts++ === 0 ? IRQ_NONE : IRQ_WAKE_THREAD), async () => {
      await sleep(sim, 800);
      return IRQ_HANDLED;
    }, IRQF_SHARED | IRQF_TRIGGER_RISING, 'slow', 2);
    core.genericHandleIrq(irq); // t = 0: 'hung' runs and never settles (reported at t = 1000)
    await sim.advance(500);
    core.genericHandleIrq(irq); // t = 500: 'slow' runs until t = 1300, well within its own timeout
    await sim.advance(100);
    const result: { value?: unknown; error?: unknown } = {};
    core.freeIrq(irq, 2).then((value) => (result.value = value), (error: unknown) => (result.error = error));
    await sim.advance(1_000);
    expect(result.error).toBeUndefined(); // was: EDEADLK naming irq/N-hung
    expect(result.value).toBe('slow');
  });
});

describe('typeSetDropsLatchedEdge: a latched edge survives irqSetIrqType to the type the pin already has', () => {
  // Found by the board property on the old mock chip (hal/mock/gpio.ts, now deleted): [request e5 rising, free,
  // edge, request e5 rising] -> "edges 1 != count 0 + deferred 0 + latched 0 + coalesced 0": its irqSetType
  // cleared the pin's status bit on every call, also when the type did not change. On the chip that ships, a
  // freed pin's DigitalBank is closed (gpio_reset_pin: no interrupt type), so an edge while it is free is not
  // latched at all; the intent that remains is that setting the same type (or one with the same edges) keeps
  // the bank, and with it an edge latched in the peripheral and not yet serviced.
  test('an edge latched in the peripheral reaches the handler across irqSetIrqType(same type)', async () => {
    const { board: b, sim, core } = board();
    const { irq, calls, handler, out } = edgePin(b, 5);
    core.requestIrq(irq, handler, IRQF_TRIGGER_RISING, 'dev', 1);
    out.drive(1); // latched; the GPIO ISR has not run yet
    core.irqSetIrqType(irq, IRQ_TYPE_EDGE_RISING);
    await sim.advance(100);
    expect(calls.n).toBe(1);
    expect(b.gpio.pinInfo(5).reopens).toBe(0);
  });
});

describe("gpioOutputAfterTypeChange: a type change that drops a latched edge leaves the GPIO interrupt quiet", () => {
  // Found by the board property on the old mock chip: [request e5 rising, edge, irqSetIrqType(rising), advance]
  // -> "more than 200000 simulator events": its irqSetType cleared the status bit without updating the
  // interrupt output, so the CPU took the GPIO interrupt forever at one instant. On the stack that ships the
  // type change reopens the pin's DigitalBank (gpio_reset_pin drops the latch); the output must follow.
  // Idle, in the bounded form the HAL promises since its silent-bank check never stops while a bank is open
  // (a silent bank says nothing, so only a read can find it): nothing is left but that check, a background
  // timer runUntilIdle does not wait for, and it backs off to one tick (one read per open bank) per
  // silentIdleCheckUs (1 s by default), so 10 idle seconds cost 10 ticks and nothing else.
  test('after a type change drops a latched edge, the GPIO interrupt is deasserted and the board goes idle', async () => {
    const { board: b, sim, core } = board();
    const { irq, out } = edgePin(b, 5);
    core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'dev', 1);
    out.drive(1); // latched, not yet serviced
    core.irqSetIrqType(irq, IRQ_TYPE_EDGE_FALLING); // other edges: the bank is reopened, the latch dropped
    expect(b.board.gpio.readStatus(0)).toBe(0);
    expect(b.board.gpio.interruptAsserted).toBe(false);
    await expect(sim.runUntilIdle({ maxEvents: 10_000 })).resolves.toBeUndefined();
    expect(sim.pending).toBe(1); // the HAL's silent-bank check
    await sim.advance(10_000_000); // the check backs off to its longest period
    const events = sim.eventsRun;
    const checks = b.gpio.stats.silentChecks;
    const reads = b.gpio.stats.silentCheckReads;
    await sim.advance(10_000_000);
    expect(sim.eventsRun - events).toBe(10);
    expect(b.gpio.stats.silentChecks - checks).toBe(10);
    expect(b.gpio.stats.silentCheckReads - reads).toBe(10); // one open bank
    expect(b.gpio.stats.deliveries).toBe(0);
  });
});

describe('edge accounting the properties rely on: an arrival that finds the line pending is merged, and counted', () => {
  // Found by the core property: [lazy disable, software resend: request, disable, edge, edge, enable, disable]
  // -> "deferred 3 != resends 2 + pending 0". The software resend of the first edge ran while the line was
  // disabled again and already pending for the second, so it merged into the one pending flag (IRQS_PENDING
  // is one bit in the kernel too). `deferred` counts all three arrivals, `resends` the two replays, and
  // `merged` the one that found the flag already set: deferred = resends + pending + merged (+ the edge flow's
  // own replays of arrivals during its handler), which is what the properties check.
  test('a software resend that lands on a line disabled and pending again merges into the pending flag', async () => {
    const { sim, core, irq, desc } = makeLine({ retrigger: false }, handleEdgeIrq);
    let calls = 0;
    core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'dev', 1);
    core.disableIrqNosync(irq);
    core.genericHandleIrq(irq); // edge 1: deferred, pending, masked
    expect(desc()).toMatchObject({ deferred: 1, pending: true, merged: 0 });
    core.enableIrq(irq); // unmasked; edge 1 resent in software after this job
    core.disableIrqNosync(irq);
    core.genericHandleIrq(irq); // edge 2 (latched while masked, delivered on unmask): deferred, pending
    expect(desc()).toMatchObject({ deferred: 2, resends: 1, pending: true, merged: 0 });
    await sim.runUntilIdle(); // the resend of edge 1 arrives: deferred again, merged
    expect(desc()).toMatchObject({ deferred: 3, resends: 1, pending: true, merged: 1, count: 0 });
    core.enableIrq(irq);
    await sim.runUntilIdle();
    expect(desc()).toMatchObject({ deferred: 3, resends: 2, pending: false, merged: 1, count: 1 });
    expect(desc().deferred).toBe(desc().resends + (desc().pending ? 1 : 0) + desc().merged);
    expect(calls).toBe(1);
  });
});

// ---- found on the stack that ships: the ESP32 HAL's silent-bank defence (hal/esp32/gpio.ts) ----

/** A sensor's STATUS read over the bus model, synchronously (a driver's acknowledge). */
function readStatus(sensor: LevelSensor): number {
  sensor.write([SENSOR_STATUS]);
  return sensor.read(1)[0];
}

/** A level-high sensor on GPIO18 (bank 0, input) read by a oneshot thread that counts its runs. */
function levelHighSensor(b: BootedBoard) {
  const sensor = new LevelSensor(b.sim, b.i2c, 0x1a, b.pin(18), { activeLow: false });
  const irq = b.gpioToIrq(18);
  const runs = { n: 0 };
  b.core.requestThreadedIrq(irq, null, () => (runs.n++, readStatus(sensor) !== 0 ? IRQ_HANDLED : IRQ_NONE), IRQF_ONESHOT | IRQF_TRIGGER_HIGH, 'sensor', sensor);
  return { sensor, irq, runs };
}

describe('hal-level-seen: a level line whose asserting edge was lost below the HAL is entered again', () => {
  // Found by the board property, (a) and the end check: [request p18 oneshot thread, raise, advance 170, raise,
  // request e4, advance] -> "p18: (a) level asserted on an enabled, unmasked, idle line, and an advance went by
  // without entering it again". Cause, before the fix (hal/esp32/gpio.ts): a reopen of the shared DigitalBank
  // drops the queued delivery; the HAL looked for missed edges only by comparing the bank's levels with `seen`,
  // the levels of its last delivery. That delivery saw GPIO18 high; the thread's service brought it low (a fall
  // its bank does not report, so `seen` stays high) and the new event high again: no change, nothing raised,
  // the sensor stayed asserted for good. The fix: a level line's own level says it. A reopen enters every level
  // pin that is asserted, started and unmasked with no raise queued (an unmasked level line is entered only by
  // a delivery, which masks it, or by the HAL's raise); the silent-bank check makes such a pin's bank a
  // suspect, and re-arms it at the next check if still no delivery came (the second test).
  test('a bank reopen that drops the delivery of a level line\'s new assertion', async () => {
    const { board: b, sim, core } = board({}, { latencyUs: 200 });
    const { sensor, runs } = levelHighSensor(b);
    sensor.raise();
    await sim.advance(1_000);
    expect(runs.n).toBe(1); // served: INT low again
    sensor.raise(); // INT high: the GPIO ISR posts the delivery, 200 µs away
    await sim.advance(0);
    const button = edgePin(b, 4);
    core.requestIrq(button.irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'button', 2); // joins GPIO18's DigitalBank: reopened
    await sim.advance(10_000);
    expect(runs.n).toBe(2);
    expect(sensor.interruptAsserted).toBe(false);
  });

  test('a full queue that silences the bank of a level line\'s new assertion', async () => {
    const { board: b, sim } = board({}, { queueLength: 1, gpio: { silentCheckUs: 2_000 } });
    const { sensor, runs } = levelHighSensor(b);
    sensor.raise();
    await sim.advance(1_000);
    expect(runs.n).toBe(1);
    b.provider.fakes.queue.post(() => {}, 500); // another poster holds the one slot
    sensor.raise(); // the GPIO ISR's post fails: the bank is silent
    await sim.advance(0);
    expect(b.provider.fakes.digital.silentBanks()).toBe(1);
    await sim.advance(50_000); // 25 check periods
    expect(runs.n).toBe(2);
    expect(b.gpio.stats.rearms).toBe(1);
  });
});

describe('hal-silent-timer: a silent bank is found even after the system was idle', () => {
  // Found by the board property, (d): a fresh edge at the end of a run "did not reach the line: 1 edges fell
  // into silent banks, 1 banks silent, the HAL ran no silent-bank check meanwhile (its timer had stopped)".
  // Cause, before the fix (hal/esp32/gpio.ts): the check timer stopped after SILENT_IDLE_CHECKS quiet periods
  // and only a delivery or an open restarted it. A bank whose failed post left its levels where they were last
  // accounted (an even number of edges: the documented blind spot) was not found before the timer stopped, and
  // then never: its later edges are swallowed by the silent bank and post nothing that could restart the timer.
  // The fix: the check never stops while a bank is open; after the quiet periods it backs off, doubling up to
  // silentIdleCheckUs (1 s here), so the new edge is re-armed and raised within 1 s + silentCheckUs.
  test('an edge into a bank that went silent before a quiet spell reaches its handler', async () => {
    const { board: b, sim, core } = board({}, { queueLength: 1, latencyUs: 100, gpio: { silentCheckUs: 10_000 } });
    const calls = new Map<number, number>([[4, 0], [25, 0]]);
    const drivers = new Map([[4, b.pin(4).pushPull('ext4')], [25, b.pin(25).pushPull('ext25')]]);
    for (const [pin, driver] of drivers) {
      driver.drive(0);
      core.requestIrq(b.gpioToIrq(pin, pin === 25 ? 'pullup' : undefined), () => (calls.set(pin, calls.get(pin)! + 1), IRQ_HANDLED),
        IRQF_TRIGGER_RISING, `p${pin}`, pin);
    }
    await sim.advance(1_000);
    drivers.get(4)!.drive(1); // its delivery holds the one slot for 100 µs
    await sim.advance(0);
    drivers.get(25)!.drive(1); // the post fails: GPIO25's bank (pull-up mode) is silent
    drivers.get(25)!.drive(0); // back to the level last accounted
    await sim.advance(0);
    expect(b.provider.fakes.digital.silentBanks()).toBe(1);
    await sim.advance(5_000_000); // quiet: the check backs off to its longest period (1 s); it used to stop
    drivers.get(25)!.drive(1); // a new edge, into the silent bank
    await sim.advance(1_000_000 + 10_000); // silentIdleCheckUs + silentCheckUs
    expect(calls.get(25)).toBe(1);
    expect(b.gpio.pinInfo(25)).toMatchObject({ rearms: 1, missedEdges: 1 });
  });
});

describe('hal-both-parity: a both-edge pin counts no merge after a missed edge was raised', () => {
  // Found by the board property's probe (b): "the HAL counted 1 merges, expected 0" on a both-edge line. Cause
  // (hal/esp32/gpio.ts): a both-edge pin's `coalesced` guesses merges from the level at each delivery against
  // `lastLevel`, the level of its previous delivery (or its open); an edge raised as missed (after a reopen of
  // its bank dropped its delivery) flipped the level without updating `lastLevel`, so the next delivery looked
  // like an even number of edges merged into one bit. The fix: raising a missed edge of a both-edge pin sets its
  // `lastLevel`, as a delivery does (only then: host-tests/esp32/silent-pin.test.ts has the reopen inside a
  // delivery that resetting it at every reopen would get wrong).
  test('a delivery after a missed edge on a both-edge pin is no merge', async () => {
    const { board: b, sim, core } = board({}, { latencyUs: 500 });
    const both = edgePin(b, 4);
    const rising = edgePin(b, 5);
    core.requestIrq(both.irq, both.handler, IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING, 'both', 1);
    core.requestIrq(rising.irq, rising.handler, IRQF_TRIGGER_RISING, 'rising', 2);
    both.out.drive(1); // delivered 500 µs from now
    await sim.advance(0);
    core.irqSetIrqType(rising.irq, IRQ_TYPE_EDGE_FALLING); // reopens the shared bank: the delivery is dropped
    await sim.advance(1_000);
    expect(both.calls.n).toBe(1); // raised as a missed edge
    expect(b.gpio.pinInfo(4).missedEdges).toBe(1);
    both.out.drive(0); // one edge, delivered alone
    await sim.advance(1_000);
    expect(both.calls.n).toBe(2);
    expect(b.gpio.pinInfo(4).coalesced).toBe(0);
  });
});

/** The native chip's board, a pin driven by the test (GPIO4, low) and its irq. */
function nativeBoard(options: NativeBootOptions) {
  const b = bootNativeSimBoard({ seed: 3, ...options });
  const out = b.pin(4).pushPull('device');
  out.drive(0);
  return { ...b, out, irq: b.gpioToIrq(4) };
}

/** The module's own counters of a line's current open. */
function nativeLine(b: ReturnType<typeof nativeBoard>, pin: number): { seqno: number; dropped: number } {
  const words = new ArrayBuffer(NATIVE_LINE_COUNTERS * 4);
  b.native.module.lineCounters(pin, words);
  const w = new Uint32Array(words);
  return { seqno: w[NATIVE_LINE_SEQNO], dropped: w[NATIVE_LINE_DROPPED] };
}

describe('native-post-after-last-close: a post that arrives after the last line closed does not leave the next request unposted', () => {
  // Found by the board property on the native chip: "the queue delivered 1 of the module's posts, the chip read 0
  // of them (and 0 found by its check): a post reached no reader", shrunk to [{"seed":0,"queueLength":10,
  // "latencyUs":150},[{"op":"request","line":"e4","slot":0,"mode":"thread","oneshot":true,"shared":true,"trigger":1}],
  // {"op":"toggle","line":"e4","times":1},{"op":"advance","us":0},{"op":"free","line":"e4","slot":0},
  // {"op":"advance","us":0}]. Cause (hal/esp32/native-gpio.ts): the chip stops listening (onReadable(undefined))
  // when its last line closes; a post on its way then reaches no reader, gpio_irq_read never runs, and the
  // module's post_pending stays set, so the next request's interrupts were not posted and waited for the
  // lost-post check (up to two postCheckUs). The fix: the first open reads the ring (a closed line's events only).
  test('after the last line closed with a post on its way, the next request is served within the latency', async () => {
    const b = nativeBoard({ latencyUs: 100, gpio: { postCheckUs: 20_000 } });
    const dev = {};
    let calls = 0;
    b.core.requestIrq(b.irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'first', dev);
    await b.sim.advance(10);
    b.out.drive(1);
    await b.sim.advance(10); // the ISR ran: its post is on its way (100 µs)
    await b.core.freeIrq(b.irq, dev);
    await b.sim.advance(1_000); // the post arrived, with no line open
    b.out.drive(0);
    b.core.requestIrq(b.irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'second', dev);
    await b.sim.advance(10);
    b.out.drive(1);
    await b.sim.advance(1_000); // ten times the latency
    expect({ calls, lostPostsFound: b.gpio.stats.lostPostsFound }).toEqual({ calls: 1, lostPostsFound: 0 });
  });
});

describe("native-stale-events: an open that ended leaves nothing of its own to the line's next open", () => {
  // Found by the board property on the native chip: "e4: ring ledger with the ring empty: events 1 - dropped 0 -
  // read 1 = 0, but 1 were unread when the line closed: an event (or a drop) of a closed open reached a later
  // one", the run above with an enableIrq after the free (which starts the line again, as the kernel's
  // irq_startup does). Cause (native/gpio-irq/gpio_irq.c): gpio_irq_close left the line's events in the ring and
  // gpio_irq_read skipped an event only if its line was closed when it read, so a line opened again before the
  // read got the old open's events as its own; and push_event counted a drop of one of them against the line,
  // which gpio_irq_open does not start again. The fix: gpio_irq_close takes the line's events out of the ring.
  test('an interrupt from before a request never reaches its handler', async () => {
    const b = nativeBoard({ latencyUs: 100 });
    b.pin(5).pushPull('other').drive(0); // another open line keeps the chip listening
    b.core.requestIrq(b.gpioToIrq(5), () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'other', {});
    const dev = {};
    b.core.requestIrq(b.irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'old', dev);
    await b.sim.advance(10);
    b.out.drive(1);
    await b.sim.advance(10); // the edge's event is in the ring, its post on its way
    void b.core.freeIrq(b.irq, dev);
    b.out.drive(0);
    let calls = 0;
    b.core.requestIrq(b.irq, () => (calls++, IRQ_NONE), IRQF_TRIGGER_RISING, 'new', dev);
    await b.sim.advance(1_000);
    expect({ calls, events: b.gpio.pinInfo(4).events, lineSeqno: b.gpio.pinInfo(4).lineSeqno }).toEqual({ calls: 0, events: 0, lineSeqno: 0 });
  });

  test("a drop of a closed line's event does not count against its next open", async () => {
    const b = nativeBoard({ latencyUs: 5_000 });
    const other = b.pin(5).pushPull('other');
    other.drive(0);
    b.core.requestIrq(b.gpioToIrq(5), () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'other', {});
    const dev = {};
    b.core.requestIrq(b.irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'old', dev);
    await b.sim.advance(10);
    b.out.drive(1);
    await b.sim.advance(5); // GPIO4's event, the oldest in the ring, its post 5 ms away
    void b.core.freeIrq(b.irq, dev);
    for (let i = 0; i < 64; i++) { // GPIO5's 64 events would push it out of the ring
      other.drive(1);
      await b.sim.advance(5);
      other.drive(0);
      await b.sim.advance(5);
    }
    await b.sim.advance(10_000);
    b.core.requestIrq(b.irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'new', dev);
    expect(nativeLine(b, 4)).toEqual({ seqno: 0, dropped: 0 });
  });
});

/*
 * native-dropped-across-opens. Found by reading the chip against the board property's check that its counters
 * never go back (the default seeds do not reach it: it needs drops of one line in two of its opens).
 * Esp32NativeGpio.countDropped took the module's count of the line's current open for the chip's count over all
 * of its opens; gpio_irq_close starts the module's count again, so after a close and an open pinInfo(pin).dropped
 * and stats.dropped went back (6, then 2 instead of 8). Fixed: the chip adds what the module counted since its
 * last look, per open.
 */
test('pinInfo().dropped and stats.dropped never go back when a line is closed and opened again', async () => {
  const b = bootNativeSimBoard({ seed: 3, latencyUs: 10_000 });
  const out = b.pin(4).pushPull('device');
  out.drive(0);
  const irq = b.gpioToIrq(4);
  const dev = {};
  const burst = async (n: number) => {
    for (let i = 0; i < n; i++) {
      out.drive(1);
      await b.sim.advance(5);
      out.drive(0);
      await b.sim.advance(5);
    }
    await b.sim.advance(30_000);
  };
  b.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'x', dev);
  await burst(70); // 70 events into a 64-event ring: 6 dropped
  const first = { pin: b.gpio.pinInfo(4).dropped, all: b.gpio.stats.dropped };
  await b.core.freeIrq(irq, dev);
  b.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'x', dev);
  await burst(66); // 2 more dropped
  expect(first).toEqual({ pin: 6, all: 6 });
  // Counted over all the pin's opens, as pinInfo's other counters (events, replays, ...) and their sum, stats.
  expect({ pin: b.gpio.pinInfo(4).dropped, all: b.gpio.stats.dropped }).toEqual({ pin: 8, all: 8 });
});

/*
 * Found by the board property on the native chip (the default seed, once gpio_irq_close took a closing line's
 * events out of the ring): "p18: the pin's interrupt is disabled in the hardware, the line is not masked and no
 * event waits in the ring: it is stuck", shrunk to [{"seed":0,"queueLength":3,"latencyUs":0},[],{"op":"pulses",
 * "line":"e4","count":140,"everyUs":1},{"op":"flood","messages":3,"holdUs":300},{"op":"request","line":"p18",
 * "slot":0,"mode":"primary","oneshot":true,"shared":false,"trigger":4},{"op":"raise","line":"p18","slot":0,
 * "bits":1},{"op":"request","line":"e4","slot":1,"mode":"primary","oneshot":true,"shared":true,"trigger":1},
 * {"op":"advance","us":400},{"op":"free","line":"e4","slot":1}]. The level line's one event is pushed out of the
 * full ring (its pin masked by the ISR, its line marked in dropped_lines), the posts fail, then a close takes
 * every other event out (purge_line): the ring is empty, so the lost-post check (Esp32NativeGpio.check, which
 * reads only while gpio_irq_counters' QUEUED is not 0) never reads the drop, and no interrupt can post again
 * (the pin is masked): the level line is never entered, its pin never unmasked. Fixed: gpio_irq_counters says how
 * many lines have drops unread (DROPPED_LINES), and the check reads when any have.
 */
test('a level line whose only event the ring dropped is served, even when a close empties the ring', async () => {
  const b = bootNativeSimBoard({ seed: 3, queueLength: 1, gpio: { postCheckUs: 2_000 } });
  const edge = b.pin(4).pushPull('edge');
  edge.drive(0);
  const level = b.pin(18).pushPull('level INT');
  level.drive(0);
  let served = 0;
  b.core.requestThreadedIrq(b.gpioToIrq(18), null, () => (served++, level.drive(0), IRQ_HANDLED), IRQF_TRIGGER_HIGH | IRQF_ONESHOT, 'level', {});
  const dev = {};
  b.core.requestIrq(b.gpioToIrq(4), () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'edge', dev);
  b.provider.fakes.queue.post(() => {}, 300); // another poster fills the queue: the module's posts fail for 300 µs
  level.drive(1); // the level line's event, the oldest in the ring
  await b.sim.advance(1);
  for (let i = 0; i < 70; i++) { // GPIO4's 70 events push it out
    edge.drive(1);
    await b.sim.advance(1);
    edge.drive(0);
    await b.sim.advance(1);
  }
  await b.sim.advance(400);
  await b.core.freeIrq(b.gpioToIrq(4), dev); // GPIO4's events leave the ring with it: the ring is empty
  await b.sim.advance(50_000); // 25 lost-post check periods
  expect({ served, dropped: b.gpio.pinInfo(18).dropped, unmasked: b.board.gpio.intEnabled(18) }).toEqual({ served: 1, dropped: 1, unmasked: true });
});
