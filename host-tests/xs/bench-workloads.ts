/*
 * The workloads `npm run bench` measures (build/bench.mjs), in XS (host-tests/xs/bench-entry.ts) and on Node.
 *
 * Each entry of WORKLOADS is one interrupt path, twice:
 *   framework: the core as a driver uses it (requestIrq / requestThreadedIrq);
 *   floor:     the least hand-written code that does the same work on the same hardware or stubs, calling no
 *              function of the framework.
 * On the simulated board (the first entries) the framework is the board as it boots (hal/mock/boot.ts: the
 * hardware, Moddable's IO fakes over it, one IrqCore and hal/esp32's GPIO chip), and the floor runs on the same
 * hardware and the same IO fakes (simulator, GPIO peripheral, ESP-IDF's ISR service, DigitalBank and its
 * message queue, I2C bus, devices) without an IrqCore or the HAL's chip (floorBoard): its own DigitalBank's
 * onReadable runs the handler, or masks the pin in software and defers the thread with a deferred call of the
 * simulator's platform (what the framework's runner uses there), and the thread unmasks, reading the level as
 * an emulated level line must. So framework minus floor is what the framework (the core and the HAL's chip)
 * costs per interrupt.
 * Most of either figure is the simulated hardware and the simulator, so the "core alone" entries measure the
 * same two paths with neither: a chip whose operations do nothing and a platform whose deferred calls wait
 * in an array, the interrupts raised by calling genericHandleIrq (framework) or the dispatch (floor).
 * The "ESP32 HAL" entries are the path a real board runs: hal/esp32's chip (Esp32Gpio, soc 'esp32') over a
 * DigitalBank that does nothing (the native layer's cost is Moddable's, not ours), and the board's platform
 * (createEsp32Platform) over Time/Timer stubs that only keep callbacks in arrays; each interrupt is one call
 * of the onReadable the bank was given, then the timers are drained to the end of the thread.
 *
 * To add a benchmark: add an entry here (it is then measured by every measurement of build/bench.mjs that
 * takes workloads), or a measurement there with its own protocol (host-tests/xs/bench-entry.ts takes new ops).
 */
import {
  IRQ_HANDLED, IRQF_ONESHOT, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_LOW,
  IRQF_TRIGGER_RISING, IrqCore, handleEdgeIrq, handleLevelIrq, type IrqChip, type IrqCoreOptions, type IrqData, type IrqDesc, type Platform,
} from '../../firmware/irq';
import { Mcp23017Irq, type Mcp23017Bus } from '../../firmware/drivers/mcp23017';
import { Esp32Gpio } from '../../hal/esp32/gpio';
import type { DigitalBankInstance, DigitalBankOptions, ModdableTime, ModdableTimer } from '../../hal/esp32/io-types';
import { Esp32NativeGpio } from '../../hal/esp32/native-gpio';
import { NATIVE_EVENT_FALLING, NATIVE_EVENT_LEVEL_LOW, NATIVE_EVENT_WORDS, type NativeGpioModule } from '../../hal/esp32/native-gpio-module';
import { createEsp32Platform } from '../../hal/esp32/platform';
import { SimBoard } from '../../hal/mock/board';
import { bootSimBoard, type BootedBoard } from '../../hal/mock/boot';
import { LevelSensor, MCP23017_IOCON, MCP23017_REG, Mcp23017, SENSOR_STATUS } from '../../hal/mock/devices';
import {
  DIGITAL_INPUT, DIGITAL_INPUT_PULL_DOWN, DIGITAL_INPUT_PULL_UP, DIGITAL_INPUT_PULL_UP_DOWN, DIGITAL_OUTPUT, DIGITAL_OUTPUT_OPEN_DRAIN,
} from '../../hal/mock/ecma419/digitalbank';
import { createFakeProvider } from '../../hal/mock/ecma419/provider';
import type { I2cBus } from '../../hal/mock/i2c';
import { createTime } from '../../hal/mock/moddable/time';
import { createTimer } from '../../hal/mock/moddable/timer';
import { Simulator } from '../../hal/mock/sim';
import type { Net, PushPullDriver } from '../../hal/mock/wire';

/** One interrupt path, set up on a fresh board. */
export interface Workload {
  /** Raise n more interrupts, one every PERIOD_US, and run the board until all of them are handled. */
  run(n: number): Promise<void>;
  /** Interrupts the handler (or thread) has handled so far: a run that handled fewer is an error. */
  readonly handled: number;
}

export interface WorkloadPair {
  readonly id: string;
  readonly title: string;
  readonly framework: () => Workload;
  readonly floor: () => Workload;
  /** The highest framework/floor ratio of XS meter units per interrupt we aim for, when there is one. */
  readonly meterRatioTarget?: number;
  /** The most XS meter units per interrupt the framework path may take (issue 13's targets), when there is a target. */
  readonly meterTarget?: number;
  /**
   * A target against another workload's framework path: this framework's meter units per interrupt at most
   * `ratio` times those of `workload` (issue 13: tracing on at most 1.3 × tracing off). `name` says what
   * the other path is, for the table.
   */
  readonly meterVs?: { readonly workload: string; readonly ratio: number; readonly name: string };
}

const PIN = 21;
const PIN_BIT = 1 << PIN;
const SENSOR_ADDRESS = 0x18;
/** Time between two interrupts: long enough for each to be handled before the next. */
const PERIOD_US = 100;
const PULSE_WIDTH_US = 10;

function quietBoard(): BootedBoard {
  return bootSimBoard({ seed: 1 });
}

/**
 * Run the simulator until idle, refusing a run that leaves interrupts unhandled. `maxUs`: the virtual time the
 * run may take, when it may be more than the simulator's default (10 s).
 */
async function settle(sim: Simulator, workload: Workload, expected: number, maxUs?: number): Promise<void> {
  await sim.runUntilIdle({ maxEvents: 1_000 + expected * 100, maxUs });
  if (workload.handled !== expected) throw new Error(`bench: ${workload.handled} interrupts handled, ${expected} expected`);
}

/** A workload on the simulated board: `stimulate(n)` schedules n interrupts, and run settles until all are handled. */
function boardWorkload(sim: Simulator, stimulate: (n: number) => void, handled: () => number): Workload {
  const workload: Workload = {
    get handled() {
      return handled();
    },
    run: (n) => {
      stimulate(n);
      return settle(sim, workload, handled() + n);
    },
  };
  return workload;
}

/**
 * n pulses on a push-pull output, `periodUs` apart: the output goes to `active`, and back `widthUs` later.
 * The closures are made once per run.
 */
function pulseTrain(sim: Simulator, out: PushPullDriver, n: number, active: 0 | 1, periodUs: number, widthUs: number): void {
  let left = n;
  const start = (): void => {
    out.drive(active);
    sim.after(widthUs, end);
  };
  const end = (): void => {
    out.drive(active ? 0 : 1);
    if (--left > 0) sim.after(periodUs - widthUs, start);
  };
  if (n > 0) sim.after(periodUs, start);
}

/** n rising edges, PERIOD_US apart. */
function pulses(sim: Simulator, out: PushPullDriver, n: number): void {
  pulseTrain(sim, out, n, 1, PERIOD_US, PULSE_WIDTH_US);
}

/** n data-ready events of the sensor, PERIOD_US apart. */
function dataReady(sim: Simulator, sensor: LevelSensor, n: number): void {
  let left = n;
  const tick = (): void => {
    sensor.raise(1);
    if (--left > 0) sim.after(PERIOD_US, tick);
  };
  if (n > 0) sim.after(PERIOD_US, tick);
}

/** Read the sensor's STATUS synchronously (its register interface, without bus time): clears INT. */
function clearSensor(sensor: LevelSensor): void {
  sensor.write([SENSOR_STATUS]);
  sensor.read(1);
}

/**
 * The simulated board's hardware and Moddable's IO fakes on it without the framework: the same board (same
 * seed, same CPU charges) and the same provider fake as bootSimBoard builds, with no IrqCore and no HAL chip.
 * The floor opens its own DigitalBank, whose onReadable is its whole interrupt path.
 */
function floorBoard() {
  const board = new SimBoard({ seed: 1 });
  const provider = createFakeProvider(board, { shape: 'esp32', latencyUs: 0 });
  return { board, sim: board.sim, i2c: board.i2c, DigitalBank: provider.device.io.DigitalBank };
}

/** A deferred call on the simulator's platform, made once: what the framework's runner schedules per burst. */
function floorDeferred(sim: Simulator, cb: () => void): () => void {
  const deferred = sim.platform.createDeferred!(cb);
  return () => deferred.schedule();
}

// ---- an edge irq with a primary handler only ----

function edgeFramework(): Workload {
  const board = quietBoard();
  const out = board.pin(PIN).pushPull('source');
  out.drive(0);
  let handled = 0;
  board.core.requestIrq(board.gpioToIrq(PIN), () => {
    handled++;
    return IRQ_HANDLED;
  }, IRQF_TRIGGER_RISING, 'bench', out);
  return boardWorkload(board.sim, (n) => pulses(board.sim, out, n), () => handled);
}

function edgeFloor(): Workload {
  const { board, sim, DigitalBank } = floorBoard();
  const out = board.pin(PIN).pushPull('source');
  out.drive(0);
  let handled = 0;
  const handler = (): number => {
    handled++;
    return IRQ_HANDLED;
  };
  new DigitalBank({
    pins: PIN_BIT, mode: DigitalBank.Input, rises: PIN_BIT,
    onReadable: (triggered: number) => {
      if (triggered & PIN_BIT) handler();
    },
  });
  return boardWorkload(sim, (n) => pulses(sim, out, n), () => handled);
}

// ---- a threaded oneshot level irq: null primary handler, IRQF_ONESHOT, a sync thread that clears the device ----

function oneshotFramework(): Workload {
  const board = quietBoard();
  const sensor = new LevelSensor(board.sim, board.i2c, SENSOR_ADDRESS, board.pin(PIN));
  let handled = 0;
  board.core.requestThreadedIrq(board.gpioToIrq(PIN), null, () => {
    clearSensor(sensor);
    handled++;
    return IRQ_HANDLED;
  }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'bench', sensor);
  return boardWorkload(board.sim, (n) => dataReady(board.sim, sensor, n), () => handled);
}

/**
 * The level-low line by hand, as the HAL emulates it on a falling edge: onReadable, unless the pin is masked,
 * masks it and defers the thread; the thread clears the sensor and unmasks, and the unmask reads the level (a
 * level still low goes round again).
 */
function oneshotFloor(): Workload {
  const { board, sim, i2c, DigitalBank } = floorBoard();
  const sensor = new LevelSensor(sim, i2c, SENSOR_ADDRESS, board.pin(PIN));
  let handled = 0;
  let masked = false;
  const raise = (): void => {
    masked = true;
    schedule();
  };
  const thread = (): void => {
    clearSensor(sensor);
    handled++;
    masked = false;
    if ((bank.read() & PIN_BIT) === 0) raise();
  };
  const schedule = floorDeferred(sim, thread);
  const bank = new DigitalBank({
    pins: PIN_BIT, mode: DigitalBank.Input, falls: PIN_BIT,
    onReadable: (triggered: number) => {
      if (triggered & PIN_BIT && !masked) raise();
    },
  });
  return boardWorkload(sim, (n) => dataReady(sim, sensor, n), () => handled);
}

// ---- a pin of the nested I2C expander: an MCP23017 whose INT is a threaded oneshot parent on an ESP32 pin ----
//
// One "interrupt" of this workload is one press of an expander input handled by its pin's handler: the pin
// falls (handled) and rises again later (read, not wanted by a falling-edge pin), so the expander raises two
// interrupts on its INT line per press and each costs one 6-byte I2C read (INTF, INTCAP, GPIO of both ports),
// on both sides. The transfers are promises of the simulated bus, so both sides pay the same promise jobs for
// them; what the framework adds beyond is its own.

const EXPANDER_ADDRESS = 0x20;
/** The ESP32 pin the expander's INTA (mirrored, open drain) drives; the net has its pull-up. */
const EXPANDER_INT_PIN = 18;
const EXPANDER_INT_BIT = 1 << EXPANDER_INT_PIN;
/** The expander input that interrupts (port A). */
const EXPANDER_PIN = 3;
const EXPANDER_PIN_BIT = 1 << EXPANDER_PIN;
/**
 * A press: the pin falls, and rises EXPANDER_HOLD_US later; the next falls EXPANDER_PERIOD_US after the first.
 * The expander interrupts on both changes (INTCON = 0), and each interrupt is one read of 6 bytes (100 µs +
 * 9 bytes × 23 µs = 307 µs on the default bus), so both are handled long before the next change.
 */
const EXPANDER_PERIOD_US = 2_000;
const EXPANDER_HOLD_US = 1_000;

/** n presses of an active-low input: a falling edge, then the rising edge EXPANDER_HOLD_US later. */
function presses(sim: Simulator, out: PushPullDriver, n: number): void {
  pulseTrain(sim, out, n, 0, EXPANDER_PERIOD_US, EXPANDER_HOLD_US);
}

/**
 * The expander on a board's bus: the model at EXPANDER_ADDRESS with INTA on `intNet`, the net of
 * EXPANDER_INT_PIN (pull-up on the net), and a push-pull source on its input pin, high.
 */
function expanderOn(sim: Simulator, i2c: I2cBus, intNet: Net): PushPullDriver {
  intNet.setPull('up');
  const model = new Mcp23017(sim, i2c, EXPANDER_ADDRESS, { intA: intNet });
  const source = model.pin(EXPANDER_PIN).pushPull('source');
  source.drive(1);
  return source;
}

/**
 * A workload whose setup needs the simulator to run (I2C transfers): `start` runs on the first run(), whose
 * figures the bench never keeps (it is the warm-up), since the bench's setup op is synchronous.
 */
function expanderWorkload(sim: Simulator, source: PushPullDriver, start: () => Promise<void>, handled: () => number): Workload {
  let started: Promise<void> | undefined;
  const workload: Workload = {
    get handled() {
      return handled();
    },
    run: async (n) => {
      await (started ??= start());
      presses(sim, source, n);
      await settle(sim, workload, handled() + n, (n + 1) * EXPANDER_PERIOD_US + 1_000_000);
    },
  };
  return workload;
}

/**
 * The driver as a board uses it: Mcp23017Irq probed (its parent, the ESP32 pin, requested level-low, shared,
 * oneshot, with the driver's async parent thread), and the expander pin requested with a null primary handler
 * and a synchronous threadFn, which runs nested inside the parent's thread (handleNestedIrq).
 */
function expanderFramework(): Workload {
  const board = quietBoard();
  const { sim, core, i2c } = board;
  const source = expanderOn(sim, i2c, board.pin(EXPANDER_INT_PIN));
  // The bus adapter of host-tests/board/mcp23017.test.ts.
  const bus: Mcp23017Bus = {
    readRegisters: (register, count) => i2c.writeRead(EXPANDER_ADDRESS, [register], count),
    writeRegisters: (register, bytes) => i2c.write(EXPANDER_ADDRESS, [register, ...bytes]),
  };
  const expander = new Mcp23017Irq(core, bus, board.gpioToIrq(EXPANDER_INT_PIN));
  let handled = 0;
  const threadFn = (): number => {
    handled++;
    return IRQ_HANDLED;
  };
  return expanderWorkload(sim, source, async () => {
    const probed = expander.probe();
    await sim.runUntilIdle();
    await probed;
    // GPINTEN is written out (and the pin's level read) by the chip's irqBusSyncUnlock.
    core.requestThreadedIrq(expander.irqOf(EXPANDER_PIN), null, threadFn, IRQF_TRIGGER_FALLING, 'bench', source);
    await sim.runUntilIdle();
  }, () => handled);
}

/**
 * The same work by hand, on the floor's board: the ESP32 pin's interrupt (level low) masks the pin and defers a job that reads the
 * expander (the driver's one transfer, which clears its interrupt), calls the handler if the pin's INTF bit is
 * set and its captured level is low, and unmasks the pin. The expander is set up directly over I2C: INT
 * mirrored and open drain, interrupt-on-change against the previous level (INTCON 0) for the one pin.
 */
function expanderFloor(): Workload {
  const { board, sim, i2c, DigitalBank } = floorBoard();
  const source = expanderOn(sim, i2c, board.pin(EXPANDER_INT_PIN));
  let handled = 0;
  let masked = true;
  let bank: ReturnType<typeof openBank> | undefined;
  const handler = (): number => {
    handled++;
    return IRQ_HANDLED;
  };
  // INTFA, INTFB, INTCAPA, INTCAPB, GPIOA, GPIOB: the driver's read, which clears the interrupt. (An async
  // function measures a few units under the same job written with .then.)
  const statusRead = [MCP23017_REG.INTFA];
  const raise = (): void => {
    masked = true;
    schedule();
  };
  const unmask = (): void => {
    masked = false;
    if ((bank!.read() & EXPANDER_INT_BIT) === 0) raise();
  };
  const job = async (): Promise<void> => {
    const r = await i2c.writeRead(EXPANDER_ADDRESS, statusRead, 6);
    if (r[0] & EXPANDER_PIN_BIT && !(r[2] & EXPANDER_PIN_BIT)) handler();
    unmask();
  };
  const schedule = floorDeferred(sim, () => void job());
  // The ESP32 pin's level-low line, on its falling edge (as the HAL emulates it).
  const openBank = () => new DigitalBank({
    pins: EXPANDER_INT_BIT, mode: DigitalBank.Input, falls: EXPANDER_INT_BIT,
    onReadable: (triggered: number) => {
      if (triggered & EXPANDER_INT_BIT && !masked) raise();
    },
  });
  return expanderWorkload(sim, source, async () => {
    const configured = (async () => {
      await i2c.write(EXPANDER_ADDRESS, [MCP23017_REG.IOCON, MCP23017_IOCON.MIRROR | MCP23017_IOCON.ODR]);
      await i2c.write(EXPANDER_ADDRESS, [MCP23017_REG.INTCONA, 0]);
      await i2c.write(EXPANDER_ADDRESS, [MCP23017_REG.GPINTENA, EXPANDER_PIN_BIT]);
    })();
    await sim.runUntilIdle();
    await configured;
    bank = openBank();
    unmask();
  }, () => handled);
}

// ---- the core alone: no simulated hardware, no simulator ----

const NOOP_CHIP: IrqChip = Object.freeze<IrqChip>({
  name: 'noop',
  irqMask: () => {},
  irqUnmask: () => {},
  irqAck: () => {},
});

/** A platform whose deferred calls wait in an array until drain() runs them (and what they defer). */
function queuedPlatform(): { platform: Platform; drain(): void } {
  const queue: (() => void)[] = [];
  return {
    platform: { now: () => 0, defer: (cb) => void queue.push(cb) },
    drain() {
      for (let i = 0; i < queue.length; i++) queue[i]();
      queue.length = 0;
    },
  };
}

/** A workload that raises each interrupt by calling `raise` and then runs the deferred calls. */
function coreWorkload(raise: () => void, drain: () => void, handled: () => number): Workload {
  return {
    get handled() {
      return handled();
    },
    async run(n) {
      const expected = handled() + n;
      for (let i = 0; i < n; i++) {
        raise();
        drain();
      }
      if (handled() !== expected) throw new Error(`bench: ${handled()} interrupts handled, ${expected} expected`);
    },
  };
}

function coreLine(flow: typeof handleEdgeIrq, options: Omit<IrqCoreOptions, 'platform' | 'log'> = {}) {
  const { platform, drain } = queuedPlatform();
  const core = new IrqCore({ ...options, platform, log: () => {} });
  const irq = core.irqAllocDesc();
  core.irqSetChipAndHandler(irq, NOOP_CHIP, flow);
  const data: IrqData = { irq, hwirq: irq, chip: NOOP_CHIP, chipData: undefined, domain: undefined, triggerType: 0, desc: undefined as unknown as IrqDesc };
  return { core, irq, platform, drain, data };
}

function edgeCoreFramework(): Workload {
  const { core, irq, drain } = coreLine(handleEdgeIrq);
  let handled = 0;
  core.requestIrq(irq, () => {
    handled++;
    return IRQ_HANDLED;
  }, 0, 'bench', 1);
  return coreWorkload(() => core.genericHandleIrq(irq), drain, () => handled);
}

function edgeCoreFloor(): Workload {
  const { drain, data } = coreLine(handleEdgeIrq);
  let handled = 0;
  const handler = (): number => {
    handled++;
    return IRQ_HANDLED;
  };
  const dispatch = (): void => {
    NOOP_CHIP.irqAck!(data);
    handler();
  };
  return coreWorkload(dispatch, drain, () => handled);
}

function oneshotCoreFramework(): Workload {
  const { core, irq, drain } = coreLine(handleLevelIrq);
  let handled = 0;
  core.requestThreadedIrq(irq, null, () => {
    handled++;
    return IRQ_HANDLED;
  }, IRQF_ONESHOT, 'bench', 1);
  return coreWorkload(() => core.genericHandleIrq(irq), drain, () => handled);
}

/** The same path with every tracepoint recording and the latency histograms on: the ring and arrays are preallocated. */
function oneshotCoreTracedFramework(): Workload {
  const { core, irq, drain } = coreLine(handleLevelIrq, { trace: { capacity: 1024 }, stats: true });
  let handled = 0;
  core.requestThreadedIrq(irq, null, () => {
    handled++;
    return IRQ_HANDLED;
  }, IRQF_ONESHOT, 'bench', 1);
  return coreWorkload(() => core.genericHandleIrq(irq), drain, () => handled);
}

function oneshotCoreFloor(): Workload {
  const { platform, drain, data } = coreLine(handleLevelIrq);
  let handled = 0;
  const thread = (): void => {
    handled++;
    NOOP_CHIP.irqUnmask!(data);
  };
  const dispatch = (): void => {
    NOOP_CHIP.irqMask!(data);
    NOOP_CHIP.irqAck!(data);
    platform.defer(thread);
  };
  return coreWorkload(dispatch, drain, () => handled);
}

// ---- the core alone on the board's platform: createEsp32Platform over the fakes of Moddable's time and timer ----
//
// What a runner burst costs on the board: the core on hal/esp32's platform, whose runner re-arms one Moddable
// timer per burst (Platform.createDeferred), over the fakes of hal/mock/moddable/ (modelled after
// modTimer.c). The fakes' timers are events of a clock the workload's own loop runs: each interrupt is
// genericHandleIrq on a oneshot level line of the do-nothing chip, then the loop moves the clock on and fires
// what is due (the runner's timer: its burst runs the thread, which unmasks the line). The floor re-arms a
// timer of its own the same way, so both pay the fakes alike.

/** The clock's step per interrupt; the timers' idle repeat (an hour) never comes due in a run. */
const LOOP_STEP_US = PERIOD_US;
/** The floor's timer: repeating, as the platform's (a one-shot would be freed after its first run). */
const FLOOR_IDLE_REPEAT_MS = 60 * 60 * 1000;

interface LoopEvent {
  readonly time: number;
  readonly seq: number;
  cancelled: boolean;
  cb: () => void;
}

/** A clock for the Moddable fakes whose events run only from runDue(): the workload's event loop. */
function loopClock() {
  const events: LoopEvent[] = [];
  let time = 0;
  let seq = 0;
  const clock = {
    now: (): number => time,
    after(delayUs: number, cb: () => void): LoopEvent {
      const e: LoopEvent = { time: time + delayUs, seq: seq++, cancelled: false, cb };
      events.push(e);
      return e;
    },
    cancel(e: LoopEvent): void {
      if (e.cancelled) return;
      e.cancelled = true;
      const i = events.indexOf(e);
      if (i >= 0) events.splice(i, 1);
    },
    /** One turn: move the clock on, then run every event due, earliest first (and what they schedule for now). */
    runDue(): void {
      time += LOOP_STEP_US;
      for (;;) {
        let next = -1;
        for (let i = 0; i < events.length; i++) {
          const e = events[i];
          if (e.time <= time && (next < 0 || e.time < events[next].time || (e.time === events[next].time && e.seq < events[next].seq))) next = i;
        }
        if (next < 0) return;
        const e = events[next];
        events.splice(next, 1);
        e.cancelled = true;
        e.cb();
      }
    },
  };
  return clock;
}

/** The board's Time (with microseconds) and Timer, faked over a loop clock. */
function moddableOnLoop() {
  const clock = loopClock();
  return { clock, Time: createTime(clock, { microseconds: true }), Timer: createTimer(clock) };
}

function oneshotEsp32Framework(): Workload {
  const { clock, Time, Timer } = moddableOnLoop();
  const core = new IrqCore({ platform: createEsp32Platform({ Time, Timer }), log: () => {} });
  const irq = core.irqAllocDesc();
  core.irqSetChipAndHandler(irq, NOOP_CHIP, handleLevelIrq);
  let handled = 0;
  core.requestThreadedIrq(irq, null, () => {
    handled++;
    return IRQ_HANDLED;
  }, IRQF_ONESHOT, 'bench', 1);
  return coreWorkload(() => core.genericHandleIrq(irq), clock.runDue, () => handled);
}

function oneshotEsp32Floor(): Workload {
  const { clock, Timer } = moddableOnLoop();
  const data: IrqData = { irq: 1, hwirq: 1, chip: NOOP_CHIP, chipData: undefined, domain: undefined, triggerType: 0, desc: undefined as unknown as IrqDesc };
  let handled = 0;
  const thread = (): void => {
    handled++;
    NOOP_CHIP.irqUnmask!(data);
  };
  const timer = Timer.repeat(thread, FLOOR_IDLE_REPEAT_MS);
  const dispatch = (): void => {
    NOOP_CHIP.irqMask!(data);
    NOOP_CHIP.irqAck!(data);
    Timer.schedule(timer, 0, FLOOR_IDLE_REPEAT_MS);
  };
  return coreWorkload(dispatch, clock.runDue, () => handled);
}

// ---- the ESP32 HAL: onReadable to the end of the thread, on a no-op DigitalBank and the board's platform ----
//
// The path a real board runs, minus Moddable's native layer: hal/esp32's Esp32Gpio (soc 'esp32') over a
// DigitalBank class that only keeps the onReadable it is given and reads fixed levels, and the core on
// createEsp32Platform over Time/Timer stubs that only keep callbacks in arrays. One interrupt is one call of
// that onReadable with the pin's bit (what digitalbank.c's message handler does), then drain(): the clock
// moves on PERIOD_US and every timer due runs, the runner's burst among them, to the end of the thread.
// The floors call the same stubs: their own onReadable finds the pin and calls the handler, or masks it,
// re-arms one timer of theirs through the same Timer stub, and the thread unmasks.

/** The bank's levels, fixed: the pin high (the level a rising edge ends at; a level-low line let go). */
const HAL_LEVELS = PIN_BIT;

/** A timer of the stub Timer: its callback, when it is due on the stub's µs counter, its repeat (ms; 0: once). */
interface StubTimer {
  readonly cb: () => void;
  dueUs: number;
  repeatMs: number;
  live: boolean;
  /** In the array of timers due at the next drain. */
  queued: boolean;
  /** In the array of timers waiting for their time. */
  waiting: boolean;
}

/**
 * Moddable's Time and Timer reduced to what createEsp32Platform calls: Time.microseconds is a counter drain()
 * moves on, and a timer is a record in one of two arrays, due now (run by the next drain, with whatever it
 * schedules for now) or waiting for its time. Delays are kept, not run at the next drain, because the HAL's
 * silent-bank check (a Timer.set of 100 ms, re-armed while deliveries come) would otherwise run after every
 * interrupt, which the board does once per 100 ms; repeats (the platform's idle hour) keep a timer waiting.
 * Nothing here allocates per interrupt but what the callers allocate.
 */
function moddableStubs() {
  let us = 0;
  const due: StubTimer[] = [];
  const waiting: StubTimer[] = [];
  let nextUs = Infinity;
  const wait = (t: StubTimer): void => {
    if (!t.waiting) {
      t.waiting = true;
      waiting.push(t);
    }
    if (t.dueUs < nextUs) nextUs = t.dueUs;
  };
  const arm = (t: StubTimer, delayMs: number, repeatMs: number): void => {
    t.live = true;
    t.repeatMs = repeatMs;
    if (delayMs > 0) {
      t.dueUs = us + delayMs * 1000;
      wait(t);
      return;
    }
    t.dueUs = us;
    if (!t.queued) {
      t.queued = true;
      due.push(t);
    }
  };
  const Time: ModdableTime = {
    get ticks(): number {
      return Math.floor(us / 1000) | 0;
    },
    get microseconds(): number {
      return us;
    },
  };
  const Timer: Required<ModdableTimer<StubTimer>> = {
    set(cb: () => void, delay = 0, repeat = 0): StubTimer {
      const t: StubTimer = { cb, dueUs: 0, repeatMs: 0, live: true, queued: false, waiting: false };
      arm(t, delay, repeat);
      return t;
    },
    repeat: (cb: () => void, delay: number): StubTimer => Timer.set(cb, delay, delay),
    schedule(t: StubTimer, delay = 0, repeat = 0): void {
      arm(t, delay, repeat);
    },
    clear(t: StubTimer): void {
      if (t !== undefined && t !== null) t.live = false;
    },
  };
  /** Move the waiting timers whose time has come to `due`; forget the cleared ones. */
  const wake = (): void => {
    nextUs = Infinity;
    let kept = 0;
    for (let i = 0; i < waiting.length; i++) {
      const t = waiting[i];
      if (t.live && t.dueUs > us) {
        waiting[kept++] = t;
        if (t.dueUs < nextUs) nextUs = t.dueUs;
        continue;
      }
      t.waiting = false;
      if (t.live && !t.queued) {
        t.queued = true;
        due.push(t);
      }
    }
    waiting.length = kept;
  };
  const drain = (): void => {
    us += PERIOD_US;
    if (nextUs <= us) wake();
    for (let i = 0; i < due.length; i++) {
      const t = due[i];
      t.queued = false;
      // Cleared, or re-armed for later (it waits in the other array), since it was queued.
      if (!t.live || t.dueUs > us) continue;
      if (t.repeatMs > 0) {
        t.dueUs += t.repeatMs * 1000;
        wait(t);
      } else {
        t.live = false;
      }
      t.cb();
    }
    due.length = 0;
  };
  return { Time, Timer, drain };
}

/** Where the no-op bank keeps the onReadable of the bank last opened, and that bank (its `this`). */
interface Captured {
  bank: DigitalBankInstance | undefined;
  onReadable: ((this: DigitalBankInstance, triggered: number) => void) | undefined;
}

/**
 * A DigitalBank that does nothing: the constructor keeps onReadable (the HAL reopens a bank when a pin's
 * edges change, so the last one opened is the live one) and read() gives `levels`. A class per workload, so
 * that each has its own capture; the mode constants, the fakes' (hal/mock/ecma419/digitalbank.ts), are what the HAL
 * passes back to the constructor.
 */
function noopDigitalBank(levels: number) {
  const captured: Captured = { bank: undefined, onReadable: undefined };
  class NoopDigitalBank implements DigitalBankInstance {
    static readonly Input = DIGITAL_INPUT;
    static readonly InputPullUp = DIGITAL_INPUT_PULL_UP;
    static readonly InputPullDown = DIGITAL_INPUT_PULL_DOWN;
    static readonly InputPullUpDown = DIGITAL_INPUT_PULL_UP_DOWN;
    static readonly Output = DIGITAL_OUTPUT;
    static readonly OutputOpenDrain = DIGITAL_OUTPUT_OPEN_DRAIN;

    constructor(options: DigitalBankOptions) {
      captured.bank = this;
      captured.onReadable = options.onReadable;
    }

    read(): number {
      return levels;
    }

    write(): void {}

    close(): void {}
  }
  /** The live bank's onReadable, called as Moddable calls it (`this` the bank), with `mask`. */
  const deliver = (mask: number): (() => void) => {
    const { bank, onReadable } = captured;
    if (bank === undefined || onReadable === undefined) throw new Error('bench: no DigitalBank was opened with an onReadable');
    return () => onReadable.call(bank, mask);
  };
  return { DigitalBank: NoopDigitalBank, deliver };
}

/** The core and the ESP32 HAL on the stubs, as a board's main builds them. */
function halBoard() {
  const moddable = moddableStubs();
  const io = noopDigitalBank(HAL_LEVELS);
  const core = new IrqCore({ platform: createEsp32Platform({ Time: moddable.Time, Timer: moddable.Timer }), log: () => {} });
  const gpio = new Esp32Gpio(core, { DigitalBank: io.DigitalBank }, { soc: 'esp32' });
  return { moddable, io, core, gpio };
}

function edgeHalFramework(): Workload {
  const { moddable, io, core, gpio } = halBoard();
  let handled = 0;
  core.requestIrq(gpio.gpioToIrq(PIN), () => {
    handled++;
    return IRQ_HANDLED;
  }, IRQF_TRIGGER_RISING, 'bench', 1);
  return coreWorkload(io.deliver(PIN_BIT), moddable.drain, () => handled);
}

/** The floor's onReadable: each bit of the mask is a pin (bank 0), whose entry runs. */
function pinDemux(entries: readonly ((() => void) | undefined)[]): (triggered: number) => void {
  return (triggered) => {
    let bits = triggered;
    while (bits !== 0) {
      const bit = bits & -bits;
      bits ^= bit;
      const entry = entries[31 - Math.clz32(bit)];
      if (entry !== undefined) entry();
    }
  };
}

function edgeHalFloor(): Workload {
  const moddable = moddableStubs();
  const io = noopDigitalBank(HAL_LEVELS);
  let handled = 0;
  const handler = (): number => {
    handled++;
    return IRQ_HANDLED;
  };
  const entries: (() => void)[] = [];
  entries[PIN] = handler;
  new io.DigitalBank({ pins: PIN_BIT, mode: io.DigitalBank.Input, rises: PIN_BIT, onReadable: pinDemux(entries) });
  return coreWorkload(io.deliver(PIN_BIT), moddable.drain, () => handled);
}

/**
 * A level-low line with a pull-up (a device's open-drain INT, as the board's sensors use), a null primary
 * handler and IRQF_ONESHOT: the HAL opens the pin with `falls` and reads the level at each unmask.
 */
function oneshotHalFramework(): Workload {
  const { moddable, io, core, gpio } = halBoard();
  let handled = 0;
  core.requestThreadedIrq(gpio.gpioToIrq(PIN, 'pullup'), null, () => {
    handled++;
    return IRQ_HANDLED;
  }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'bench', 1);
  return coreWorkload(io.deliver(PIN_BIT), moddable.drain, () => handled);
}

/**
 * The same by hand: onReadable finds the pin and, unless it is masked, masks it and re-arms one timer of its
 * own (Timer.repeat once, Timer.schedule per interrupt, as the platform's runner does); the thread runs from
 * the drain and unmasks, and the unmask reads the level, as an emulated level line must (an interrupt whose
 * level is still low goes round again; never here, the bank reads high).
 */
function oneshotHalFloor(): Workload {
  const moddable = moddableStubs();
  const { Timer } = moddable;
  const io = noopDigitalBank(HAL_LEVELS);
  let handled = 0;
  let masked = false;
  const raise = (): void => {
    masked = true;
    Timer.schedule(timer, 0, FLOOR_IDLE_REPEAT_MS);
  };
  const thread = (): void => {
    handled++;
    masked = false;
    if ((bank.read() & PIN_BIT) === 0) raise();
  };
  const timer = Timer.repeat(thread, FLOOR_IDLE_REPEAT_MS);
  const entries: (() => void)[] = [];
  entries[PIN] = () => {
    if (!masked) raise();
  };
  const bank = new io.DigitalBank({ pins: PIN_BIT, mode: io.DigitalBank.InputPullUp, falls: PIN_BIT, onReadable: pinDemux(entries) });
  return coreWorkload(io.deliver(PIN_BIT), moddable.drain, () => handled);
}

// ---- the native GPIO chip: from the ring's read to the end of the handler or thread ----
//
// What the JavaScript side of the native GPIO module costs per interrupt on the board: Esp32NativeGpio over a
// stub of the module's functions (the C's share is native code, outside the meter). The stub's read() hands over
// one event of PIN per call, as the C's gpio_irq_read fills the buffer after one interrupt; its other functions do
// nothing, as the C's do nothing the meter sees. The platform is createEsp32Platform on the Time/Timer stubs, as
// the HAL rows.

/** The native module reduced to what the chip calls per interrupt, delivering one event of `id` per read. */
function stubNativeModule(id: number) {
  let onReadable: (() => void) | undefined;
  let seqno = 0;
  // The chip reads into one buffer made once: its view is made once too (no allocation per interrupt).
  let buffer: ArrayBuffer | undefined;
  let words = new Uint32Array(0);
  const module: NativeGpioModule = {
    open() {},
    close() {},
    setType() {},
    mask() {},
    unmask() {},
    level: () => 1,
    now: () => 0,
    read(events: ArrayBuffer) {
      if (events !== buffer) {
        buffer = events;
        words = new Uint32Array(events, 0, NATIVE_EVENT_WORDS);
      }
      seqno++;
      words[0] = seqno;
      words[1] = 0;
      words[2] = seqno;
      words[3] = seqno;
      words[4] = PIN | (id << 8);
      return 1;
    },
    counters() {},
    lineCounters() {},
    onReadable(callback) {
      onReadable = callback;
    },
  };
  const deliver = (): void => {
    if (onReadable === undefined) throw new Error('bench: the native chip set no onReadable');
    onReadable();
  };
  return { module, deliver };
}

function nativeBoard(id: number) {
  const moddable = moddableStubs();
  const native = stubNativeModule(id);
  const core = new IrqCore({ platform: createEsp32Platform({ Time: moddable.Time, Timer: moddable.Timer }), log: () => {} });
  const gpio = new Esp32NativeGpio(core, native.module, { soc: 'esp32', postCheckUs: 0 });
  return { moddable, native, core, gpio };
}

function edgeNativeFramework(): Workload {
  const { moddable, native, core, gpio } = nativeBoard(NATIVE_EVENT_FALLING);
  let handled = 0;
  core.requestIrq(gpio.gpioToIrq(PIN), () => {
    handled++;
    return IRQ_HANDLED;
  }, IRQF_TRIGGER_FALLING, 'bench', 1);
  return coreWorkload(native.deliver, moddable.drain, () => handled);
}

/** The floor's delivery: read the ring into a buffer made once and enter each event's pin. */
function nativeFloorDelivery(module: NativeGpioModule, entries: readonly ((() => void) | undefined)[]): () => void {
  const buffer = new ArrayBuffer(64 * NATIVE_EVENT_WORDS * 4);
  const words = new Uint32Array(buffer);
  const dropped = new ArrayBuffer(8);
  return () => {
    const count = module.read(buffer, dropped);
    for (let i = 0, o = 0; i < count; i++, o += NATIVE_EVENT_WORDS) {
      const entry = entries[words[o + 4] & 0xff];
      if (entry !== undefined) entry();
    }
  };
}

function edgeNativeFloor(): Workload {
  const moddable = moddableStubs();
  const native = stubNativeModule(NATIVE_EVENT_FALLING);
  let handled = 0;
  const entries: (() => void)[] = [];
  entries[PIN] = () => {
    handled++;
  };
  native.module.onReadable(nativeFloorDelivery(native.module, entries));
  return coreWorkload(native.deliver, moddable.drain, () => handled);
}

/** A level-low line (real on this chip: the ISR masked it), a null primary handler and IRQF_ONESHOT. */
function oneshotNativeFramework(): Workload {
  const { moddable, native, core, gpio } = nativeBoard(NATIVE_EVENT_LEVEL_LOW);
  let handled = 0;
  core.requestThreadedIrq(gpio.gpioToIrq(PIN, 'pullup'), null, () => {
    handled++;
    return IRQ_HANDLED;
  }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'bench', 1);
  return coreWorkload(native.deliver, moddable.drain, () => handled);
}

/**
 * The same by hand: the delivery enters the pin, which re-arms one timer (Timer.repeat once, Timer.schedule per
 * interrupt, as the platform's runner does); the thread runs from the drain and unmasks the pin in the module (the
 * ISR masked it; no read: a level still asserted enters again by itself).
 */
function oneshotNativeFloor(): Workload {
  const moddable = moddableStubs();
  const { Timer } = moddable;
  const native = stubNativeModule(NATIVE_EVENT_LEVEL_LOW);
  let handled = 0;
  const thread = (): void => {
    handled++;
    native.module.unmask(PIN);
  };
  const timer = Timer.repeat(thread, FLOOR_IDLE_REPEAT_MS);
  const entries: (() => void)[] = [];
  entries[PIN] = () => Timer.schedule(timer, 0, FLOOR_IDLE_REPEAT_MS);
  native.module.onReadable(nativeFloorDelivery(native.module, entries));
  return coreWorkload(native.deliver, moddable.drain, () => handled);
}

export const WORKLOADS: readonly WorkloadPair[] = [
  {
    id: 'edge-primary',
    title: 'edge irq, primary handler only',
    framework: edgeFramework,
    floor: edgeFloor,
  },
  {
    id: 'threaded-oneshot',
    title: 'threaded oneshot level irq, sync thread',
    framework: oneshotFramework,
    floor: oneshotFloor,
    meterRatioTarget: 1.5,
  },
  {
    id: 'expander-nested',
    title: 'a pin of the nested I2C expander',
    framework: expanderFramework,
    floor: expanderFloor,
  },
  {
    id: 'edge-primary-core',
    title: 'edge irq, primary handler only: core alone',
    framework: edgeCoreFramework,
    floor: edgeCoreFloor,
    meterTarget: 350,
  },
  {
    id: 'threaded-oneshot-core',
    title: 'threaded oneshot level irq: core alone',
    framework: oneshotCoreFramework,
    floor: oneshotCoreFloor,
    meterTarget: 900,
  },
  {
    id: 'threaded-oneshot-esp32',
    title: 'threaded oneshot level irq: core alone on the ESP32 platform (Moddable Time/Timer fakes)',
    framework: oneshotEsp32Framework,
    floor: oneshotEsp32Floor,
  },
  {
    id: 'threaded-oneshot-core-traced',
    title: 'threaded oneshot level irq: core alone, tracing and stats on',
    framework: oneshotCoreTracedFramework,
    floor: oneshotCoreFloor,
    meterVs: { workload: 'threaded-oneshot-core', ratio: 1.3, name: 'tracing off' },
  },
  {
    id: 'edge-primary-esp32-hal',
    title: 'edge irq, primary handler only: ESP32 HAL, onReadable to the end (no-op DigitalBank, board platform on stubs)',
    framework: edgeHalFramework,
    floor: edgeHalFloor,
    meterTarget: 450,
  },
  {
    id: 'threaded-oneshot-esp32-hal',
    title: 'threaded oneshot level irq: ESP32 HAL, onReadable to the end of the thread (same)',
    framework: oneshotHalFramework,
    floor: oneshotHalFloor,
    meterTarget: 1_200,
  },
  {
    id: 'edge-primary-esp32-native',
    title: 'edge irq, primary handler only: native GPIO chip, the ring read to the end (stub module, board platform on stubs)',
    framework: edgeNativeFramework,
    floor: edgeNativeFloor,
  },
  {
    id: 'threaded-oneshot-esp32-native',
    title: 'threaded oneshot level irq (a real level, masked in the ISR): native GPIO chip, the ring read to the end of the thread (same)',
    framework: oneshotNativeFramework,
    floor: oneshotNativeFloor,
  },
];
