/*
 * The workloads `npm run bench` measures (build/bench.mjs), in XS (host-tests/xs/bench-entry.ts) and on Node.
 *
 * Each entry of WORKLOADS is one interrupt path, twice:
 *   framework: the core as a driver uses it (requestIrq / requestThreadedIrq);
 *   floor:     the least a hand-written dispatch does for the same work, with no framework.
 * On the simulated board (the first entries) the floor's dispatch runs on the same simulated hardware: the
 * GPIO source's interrupt (the intc delivers it; a hand-written chained handler masks the source, reads
 * GPIO_STATUS, acks the pin), a deferred call where the path has one, the same handler, and the unmask. It
 * enters through core.genericHandleIrq (the board's vector into software) and sets the pin's trigger type
 * with irqSetIrqType at setup; nothing else of the core runs. The device, the interrupt source and the
 * simulator are the same for both, so framework minus floor is what the framework costs per interrupt.
 * Most of either figure is the simulated hardware and the simulator, so the "core alone" entries measure the
 * same two paths with neither: a chip whose operations do nothing and a platform whose deferred calls wait
 * in an array, the interrupts raised by calling genericHandleIrq (framework) or the dispatch (floor).
 *
 * To add a benchmark: add an entry here (it is then measured by every measurement of build/bench.mjs that
 * takes workloads), or a measurement there with its own protocol (host-tests/xs/bench-entry.ts takes new ops).
 */
import {
  IRQ_HANDLED, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_LOW, IRQF_ONESHOT, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING,
  IrqCore, handleEdgeIrq, handleLevelIrq, type IrqChip, type IrqData, type IrqDesc, type Platform,
} from '../../firmware/irq';
import { SimBoard } from '../../hal/mock/board';
import { LevelSensor, SENSOR_STATUS } from '../../hal/mock/devices';
import type { Simulator } from '../../hal/mock/sim';
import type { PushPullDriver } from '../../hal/mock/wire';

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
}

const PIN = 21;
const PIN_BIT = 1 << PIN;
const SENSOR_ADDRESS = 0x18;
/** Time between two interrupts: long enough for each to be handled before the next. */
const PERIOD_US = 100;
const PULSE_WIDTH_US = 10;

function quietBoard(): SimBoard {
  return new SimBoard({ seed: 1, log: () => {} });
}

/** Run the simulator until idle, refusing a run that leaves interrupts unhandled. */
async function settle(sim: Simulator, workload: Workload, expected: number): Promise<void> {
  await sim.runUntilIdle({ maxEvents: 1_000 + expected * 100 });
  if (workload.handled !== expected) throw new Error(`bench: ${workload.handled} interrupts handled, ${expected} expected`);
}

/** n rising edges on a push-pull output, PERIOD_US apart; the closures are made once per run. */
function pulses(sim: Simulator, out: PushPullDriver, n: number): void {
  let left = n;
  const rise = (): void => {
    out.drive(1);
    sim.after(PULSE_WIDTH_US, fall);
  };
  const fall = (): void => {
    out.drive(0);
    if (--left > 0) sim.after(PERIOD_US - PULSE_WIDTH_US, rise);
  };
  if (n > 0) sim.after(PERIOD_US, rise);
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
 * The pin's irq_data as the GPIO chip's operations read it (they use chipData, the pin number): what the
 * floor passes to the chip to mask, ack and unmask the pin without the core.
 */
function pinData(board: SimBoard, type: number): IrqData {
  return { irq: 0, hwirq: PIN, chip: board.gpio.chip, chipData: PIN, domain: undefined, triggerType: type, desc: undefined as unknown as IrqDesc };
}

/**
 * The floor's entry: the GPIO source line's chained handler replaced by `dispatch`, wrapped in what the board's
 * cascade does around it (mask the source at the interrupt controller, unmask it after).
 */
function handWrittenCascade(board: SimBoard, dispatch: () => void): void {
  const intcChip = board.intc.chip;
  board.core.irqSetChainedHandlerAndData(board.gpio.parentIrq, (desc: IrqDesc) => {
    intcChip.irqMask!(desc.irqData);
    dispatch();
    intcChip.irqUnmask!(desc.irqData);
  }, null);
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
  const workload: Workload = {
    get handled() {
      return handled;
    },
    run: (n) => {
      pulses(board.sim, out, n);
      return settle(board.sim, workload, handled + n);
    },
  };
  return workload;
}

function edgeFloor(): Workload {
  const board = quietBoard();
  const out = board.pin(PIN).pushPull('source');
  out.drive(0);
  board.core.irqSetIrqType(board.gpioToIrq(PIN), IRQ_TYPE_EDGE_RISING);
  const data = pinData(board, IRQ_TYPE_EDGE_RISING);
  const chip = board.gpio.chip;
  chip.irqUnmask!(data);
  let handled = 0;
  const handler = (): number => {
    handled++;
    return IRQ_HANDLED;
  };
  handWrittenCascade(board, () => {
    if (board.gpio.status & PIN_BIT) {
      chip.irqAck!(data);
      handler();
    }
  });
  const workload: Workload = {
    get handled() {
      return handled;
    },
    run: (n) => {
      pulses(board.sim, out, n);
      return settle(board.sim, workload, handled + n);
    },
  };
  return workload;
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
  const workload: Workload = {
    get handled() {
      return handled;
    },
    run: (n) => {
      dataReady(board.sim, sensor, n);
      return settle(board.sim, workload, handled + n);
    },
  };
  return workload;
}

function oneshotFloor(): Workload {
  const board = quietBoard();
  const sensor = new LevelSensor(board.sim, board.i2c, SENSOR_ADDRESS, board.pin(PIN));
  board.core.irqSetIrqType(board.gpioToIrq(PIN), IRQ_TYPE_LEVEL_LOW);
  const data = pinData(board, IRQ_TYPE_LEVEL_LOW);
  const chip = board.gpio.chip;
  chip.irqUnmask!(data);
  let handled = 0;
  const thread = (): void => {
    clearSensor(sensor);
    handled++;
    chip.irqUnmask!(data);
  };
  handWrittenCascade(board, () => {
    if (board.gpio.status & PIN_BIT && board.gpio.intEnabled(PIN)) {
      chip.irqMask!(data);
      chip.irqAck!(data);
      board.sim.defer(thread);
    }
  });
  const workload: Workload = {
    get handled() {
      return handled;
    },
    run: (n) => {
      dataReady(board.sim, sensor, n);
      return settle(board.sim, workload, handled + n);
    },
  };
  return workload;
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

function coreLine(flow: typeof handleEdgeIrq) {
  const { platform, drain } = queuedPlatform();
  const core = new IrqCore({ platform, log: () => {} });
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
    id: 'edge-primary-core',
    title: 'edge irq, primary handler only: core alone',
    framework: edgeCoreFramework,
    floor: edgeCoreFloor,
  },
  {
    id: 'threaded-oneshot-core',
    title: 'threaded oneshot level irq: core alone',
    framework: oneshotCoreFramework,
    floor: oneshotCoreFloor,
  },
];
