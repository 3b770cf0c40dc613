/*
 * The board property's vocabulary and reference model (board.property.test.ts): the four lines, the commands
 * as plain data (a counterexample prints as JSON and replays as it is), and what the README documents about
 * requests, trigger types and wake sources, as pure functions of the model.
 *
 * Lines (each a GPIO pin, through the GPIO irq_chip kind under test, board-chip.ts: gpioToIrq(pin, mode)). The
 * DigitalBank chip groups the pins it opens into one DigitalBank per (bank index, pull mode), so these four lines
 * make three banks, each posting its own messages to the XS task's queue (the native chip opens each pin in its
 * module, whose one ring posts for all):
 *   e4   GPIO4,  edge,  input   (bank 0 "input", with p18)  push-pull driver owned by the test; two request slots
 *   e33  GPIO33, edge,  input   (bank 1 "input")            push-pull driver owned by the test; one slot
 *   s25  GPIO25, level low, pullup (bank 0 "pullup")        two LevelSensors, open-drain INT (wired-OR, pulled up)
 *   p18  GPIO18, level high, input (bank 0 "input", with e4) one LevelSensor with a push-pull INT
 * GPIO18 is no RTC GPIO: it can never be a (deep-sleep) wake source, the others can (ext1, one mode).
 */
import {
  IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH, IRQ_TYPE_LEVEL_LOW,
  type IrqErrorCode,
} from '../../firmware/irq';
import type { Esp32PinMode } from '../../hal/esp32/gpio';

// ---- the lines ----

export type EdgeLine = 'e4' | 'e33';
export type LevelLine = 's25' | 'p18';
export type LineName = EdgeLine | LevelLine;

export interface LineSpec {
  readonly name: LineName;
  readonly pin: number;
  readonly kind: 'edge' | 'level';
  /** Request slots: devIds (edge lines) or sensors (level lines). */
  readonly slots: number;
  /** Trigger types a driver of this line may ask for (level lines: only the one their devices need). */
  readonly types: readonly number[];
  /** The input mode the chip opens the pin with (on the DigitalBank chip it picks the pin's DigitalBank). */
  readonly pinMode: Esp32PinMode;
  /** Level lines: sensor I2C addresses, one per slot, and whether INT is active low (open-drain). */
  readonly addresses?: readonly number[];
  readonly activeLow?: boolean;
  /** An RTC GPIO: may wake the ESP32 from deep sleep (the HAL's default wake rule). */
  readonly rtc: boolean;
}

const EDGE_TYPES = [IRQ_TYPE_EDGE_RISING, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_BOTH];

export const LINES: Readonly<Record<LineName, LineSpec>> = {
  e4: { name: 'e4', pin: 4, kind: 'edge', slots: 2, types: EDGE_TYPES, pinMode: 'input', rtc: true },
  e33: { name: 'e33', pin: 33, kind: 'edge', slots: 1, types: EDGE_TYPES, pinMode: 'input', rtc: true },
  s25: {
    name: 's25', pin: 25, kind: 'level', slots: 2, types: [IRQ_TYPE_LEVEL_LOW], pinMode: 'pullup',
    addresses: [0x18, 0x19], activeLow: true, rtc: true,
  },
  p18: {
    name: 'p18', pin: 18, kind: 'level', slots: 1, types: [IRQ_TYPE_LEVEL_HIGH], pinMode: 'input',
    addresses: [0x1a], activeLow: false, rtc: false,
  },
};
export const LINE_NAMES = Object.keys(LINES) as LineName[];
export const EDGE_LINES: readonly EdgeLine[] = ['e4', 'e33'];
export const LEVEL_LINES: readonly LevelLine[] = ['s25', 'p18'];

// ---- the commands ----

/** A driver's shape: primary only, a sync or async thread, the default primary, a thread that throws, one that never settles. */
export type Mode = 'primary' | 'thread' | 'thread-async' | 'thread-only' | 'thread-fail' | 'thread-hang';
/** A request made invalid on purpose: unknown flag, two trigger types, empty name, no handler and no thread. */
export type Bad = 'flags' | 'trigger' | 'name' | 'nothing';

export type RequestCmd = {
  op: 'request'; line: LineName; slot: number; mode: Mode; oneshot: boolean; shared: boolean; trigger: number;
  noAutoen?: boolean; bad?: Bad; sleepUs?: number;
};

export type Cmd =
  | RequestCmd
  | { op: 'free'; line: LineName; slot: number }
  | { op: 'disable'; line: LineName; how: 'sync' | 'nosync' | 'hardirq' }
  | { op: 'enable'; line: LineName }
  | { op: 'setType'; line: LineName; type: number }
  | { op: 'wake'; line: LineName; on: boolean }
  /** Device events; with `inUs`, scheduled that far into the next advances instead of now. */
  | { op: 'drive'; line: EdgeLine; level: 0 | 1; inUs?: number }
  /** A burst of level changes in one job: edges the peripheral latch and the bank's `triggered` mask merge. */
  | { op: 'toggle'; line: EdgeLine; times: number; inUs?: number }
  | { op: 'raise'; line: LevelLine; slot: number; bits: number; inUs?: number }
  /**
   * A train of `count` level changes `everyUs` apart, from now: each an interrupt of its own (a job of its own),
   * more than a delivery latency or a full queue lets the chip read in time (the native module's 64-event ring).
   */
  | { op: 'pulses'; line: EdgeLine; count: number; everyUs: number }
  /** Other posters to the XS task (timers, other IO) fill `messages` slots of its queue for `holdUs`. */
  | { op: 'flood'; messages: number; holdUs: number }
  /** (b): on a quiet edge line, one or two edges while disabled, then enable: replayed exactly once. */
  | { op: 'probeEdge'; line: EdgeLine; twice: boolean }
  /** (a): on a quiet level line, a device event while disabled, then enable: the held level enters again, once. */
  | { op: 'probeLevel'; line: LevelLine; slot: number }
  | { op: 'advance'; us: number };

/** The settings of one run, drawn with its commands. */
export interface RunConfig {
  /** The simulator's seed. */
  seed: number;
  /** The XS task's message queue (MODDEF_TASK_QUEUELENGTH, 10 on the board): small ones make silent banks. */
  queueLength: number;
  /** µs from an ISR to its onReadable. */
  latencyUs: number;
}

// ---- the reference model ----

/** One request that succeeded: the driver instance behind an action. */
export interface ActionModel {
  readonly serial: number;
  readonly line: LineName;
  readonly slot: number;
  readonly mode: Mode;
  readonly oneshot: boolean;
  readonly shared: boolean;
  readonly name: string;
  readonly devId: object;
  freeCalled: boolean;
  freeResolved: boolean;
  /** Calls of its primary handler (not counted for the default primary of a thread-only request). */
  primaryCalls: number;
}

export interface LineModel {
  readonly spec: LineSpec;
  /** Outstanding disables: the test's, 1 for IRQF_NO_AUTOEN or a freed line, +1 per disable the core reports. */
  depth: number;
  started: boolean;
  /** A disable the core made itself (thread-disable, spurious-disable, watchdog-stuck with disabled) is outstanding. */
  coreDisabled: boolean;
  /** The watchdog reported a stuck thread of this line: waits begun during it may reject with EDEADLK. */
  watchdogFired: boolean;
  /** In polled handling, as the core's storm-poll and storm-resume events tell. */
  polled: boolean;
  wakeDepth: number;
  /** The chip's trigger type (IRQ_TYPE_NONE until a request with trigger flags or irqSetIrqType set one). */
  type: number;
  /** The live actions, in request order. */
  live: ActionModel[];
  /** Device events scheduled on the line (`inUs`) that have not happened yet; probes wait for none. */
  scheduled: number;
}

export type BoardModel = Readonly<Record<LineName, LineModel>>;

export function newModel(): BoardModel {
  const line = (spec: LineSpec): LineModel => ({
    spec, depth: 1, started: false, coreDisabled: false, watchdogFired: false, polled: false, wakeDepth: 0, type: 0, live: [], scheduled: 0,
  });
  return { e4: line(LINES.e4), e33: line(LINES.e33), s25: line(LINES.s25), p18: line(LINES.p18) };
}

/** The level a trigger type wakes on (hal/esp32/wake.ts): low for level-low and falling, high for level-high and rising. */
function wakeLevel(type: number): 0 | 1 | undefined {
  if (type === IRQ_TYPE_LEVEL_LOW || type === IRQ_TYPE_EDGE_FALLING) return 0;
  if (type === IRQ_TYPE_LEVEL_HIGH || type === IRQ_TYPE_EDGE_RISING) return 1;
  return undefined;
}

/**
 * Whether `line` with trigger `type` can be a wake source beside the other wake-enabled lines (the HAL's
 * default, deep-sleep wake on the ESP32: ext1 on RTC GPIOs, one mode for all, ALL_LOW serving one pin): ENOSYS
 * or undefined.
 */
export function wakeError(model: BoardModel, line: LineModel, type: number): IrqErrorCode | undefined {
  const level = wakeLevel(type);
  if (level === undefined || !line.spec.rtc) return 'ENOSYS';
  for (const other of Object.values(model)) {
    if (other === line || other.wakeDepth === 0) continue;
    if (wakeLevel(other.type) !== level || level === 0) return 'ENOSYS';
  }
  return undefined;
}

/** The trigger a request ends up with: its own flags, or the line's type (the kernel's __setup_irq). */
export function effectiveTrigger(line: LineModel, trigger: number): number {
  return trigger !== 0 ? trigger : line.type;
}

/** The error a request must fail with, in the order the core checks (checkRequestArgs, setupIrq, setTrigger). */
export function predictRequestError(model: BoardModel, line: LineModel, cmd: RequestCmd): IrqErrorCode | undefined {
  if (cmd.bad !== undefined) return 'EINVAL';
  if (cmd.shared && cmd.noAutoen) return 'EINVAL';
  const old = line.live[0];
  if (old !== undefined) {
    if (!(old.shared && cmd.shared)) return 'EBUSY';
    const oldType = line.type !== 0 ? line.type : cmd.trigger;
    if (oldType !== effectiveTrigger(line, cmd.trigger)) return 'EBUSY';
    if (old.oneshot !== cmd.oneshot) return 'EBUSY';
    if (line.live.some((a) => a.slot === cmd.slot)) return 'EBUSY';
  }
  if (cmd.mode === 'thread-only' && !cmd.oneshot) return 'EINVAL';
  // The first action sets the trigger type; the chip refuses one its wake source cannot keep.
  const trigger = effectiveTrigger(line, cmd.trigger);
  if (old === undefined && trigger !== 0 && line.wakeDepth > 0) return wakeError(model, line, trigger);
  return undefined;
}

/** irqSetIrqType: EINVAL for what is no trigger type or what the pin cannot take, ENOSYS for a wake source it would break. */
export function predictSetTypeError(model: BoardModel, line: LineModel, type: number): IrqErrorCode | undefined {
  if (!line.spec.types.includes(type)) return 'EINVAL';
  if (line.wakeDepth > 0) return wakeError(model, line, type);
  return undefined;
}

/** irqSetIrqWake(on): the chip is asked only by the first enable. */
export function predictWakeError(model: BoardModel, line: LineModel, on: boolean): IrqErrorCode | undefined {
  return on && line.wakeDepth === 0 ? wakeError(model, line, line.type) : undefined;
}
