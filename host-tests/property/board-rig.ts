/*
 * The board property's rig: one simulated board booted with the layers that ship (hal/mock/boot.ts: the
 * hardware, Moddable's ECMA-419 fakes over ESP-IDF's GPIO driver, one IrqCore) and one GPIO irq_chip kind
 * (board-chip.ts: the DigitalBank chip or the native chip), the devices of the four lines (board-model.ts), the
 * reference model, and what the harness observes:
 *
 * - on each pad's net, the physical edges of the INT_TYPE the peripheral is armed with (the kind notes what
 *   else it needs of each, board-chip-digitalbank.ts whether it set the pin's status latch or merged into it);
 * - the core's decisions, from core.onIrqEvent (never from the log's text): a line the core disables itself
 *   (spurious-disable, thread-disable, watchdog-stuck with `disabled`) gets one more depth in the model;
 * - the log, only for the warnings the README promises for misuse (unbalanced enable, wake disable, freeing
 *   what is not there);
 * - the promises of frees and disables, and the threads of freed actions.
 *
 * The invariants (board-invariants.ts) read the rig; the commands (board-commands.ts) act through it.
 */
import {
  IrqError, type IrqCoreEvent, type IrqDescInfo, type IrqThreadInfo,
} from '../../firmware/irq';
import { LevelSensor } from '../../hal/mock/devices';
import {
  GPIO_INTR_ANYEDGE, GPIO_INTR_NEGEDGE, GPIO_INTR_POSEDGE, type Esp32GpioPeripheral,
} from '../../hal/mock/gpio-peripheral';
import type { FakeMessageQueue } from '../../hal/mock/ecma419/digitalbank';
import type { Net, PushPullDriver } from '../../hal/mock/wire';
import type { BoardChip, BoardChipKind, BoardLayers, ChipPinInfo } from './board-chip';
import { makeDriver, setDeviceInt, type DriverHooks } from './board-drivers';
import {
  LINE_NAMES, LINES, newModel, type ActionModel, type BoardModel, type Cmd, type LineModel, type LineName, type LineSpec,
  type RunConfig,
} from './board-model';

/** The core on the board: a short watchdog that disables, and few thread retries, so runs stay short. */
export const CORE_OPTIONS = { watchdog: { timeoutUs: 20_000, action: 'disable' as const }, threadRetries: 3 };
/** Events at one virtual instant that stop a run as stalled (SimStallError names the irqs and threads). */
export const STALL_EVENTS = 20_000;
/** Simulator events one run may take in all; a run without a storm takes a few hundred. */
export const EVENT_BUDGET = 200_000;
/** Lines of the run's history kept for a failure's message. */
const HISTORY = 12;

export class InvariantError extends Error {}

export interface LogEntry {
  readonly level: string;
  readonly message: string;
}

/** What the harness sees of one line, beside what the layers count (the chip kind keeps its own, board-chip.ts). */
export interface LineObs {
  /** Physical edges of the pin's INT_TYPE at the peripheral: the type the chip armed (none while the pin is closed). */
  edges: number;
  /** desc.count values at which at least one of our primary handlers ran. */
  readonly countsSeen: Set<number>;
  /** A default primary (thread-only request) ran here at some point: its calls are not observed. */
  unobservedPrimary: boolean;
}

export interface LineRig {
  readonly spec: LineSpec;
  readonly model: LineModel;
  readonly irq: number;
  readonly net: Net;
  /** Level lines: one sensor per slot. */
  readonly sensors: readonly LevelSensor[];
  /** Edge lines: the test's driver of the pad. */
  readonly driver: PushPullDriver | undefined;
  /** The devId of each slot (the sensor itself on level lines). */
  readonly devIds: readonly object[];
  readonly obs: LineObs;
}

/** One line as the layers show it after a command: taken once per step, read by every check of the step. */
export interface LineView {
  readonly line: LineRig;
  readonly d: IrqDescInfo;
  /** The chip's pin (the kind's pinInfo, with what the kind adds: board-chip.ts). */
  readonly p: ChipPinInfo;
  /** The line's threads, and those woken and not finished (queued or running). */
  readonly threads: readonly IrqThreadInfo[];
  readonly busy: readonly IrqThreadInfo[];
  /** The pin's status latch in the peripheral. */
  readonly latched: boolean;
}

export interface BoardView {
  readonly time: number;
  readonly lines: readonly LineView[];
}

interface Tracked {
  readonly what: string;
  readonly kind: 'free' | 'disable';
  readonly line: LineRig;
  settled: 'no' | 'resolved' | 'rejected';
  error: unknown;
}

/**
 * What a run reached, summed over the runs for the statistics and the coverage asserts: the keys of
 * CORE_STATS, the same on every chip kind, and the kind's own (BoardChip.collectStats, BoardChipKind.coverage).
 */
export type RunStats = Record<string, number>;

/** The core's and the harness's statistics, on every kind. */
export const CORE_STATS = [
  /** Physical edges of the armed type on every pin. */
  'edges',
  'handledEvents', 'deferred', 'resends',
  /** The chip's pending edges replayed. */
  'replays',
  'threadRuns', 'requests', 'invalidRequests', 'coreDisables',
  /** Switches to polled handling (storm-poll events). */
  'storms',
  'probes', 'probesSkipped',
  /** Commands run, and simulator events. */
  'steps', 'events',
] as const;

export function emptyStats(): RunStats {
  return Object.fromEntries(CORE_STATS.map((key) => [key, 0]));
}

/** The peripheral's INT_TYPE matches a level change. */
function edgeMatches(intType: number, rose: boolean): boolean {
  return (rose && (intType === GPIO_INTR_POSEDGE || intType === GPIO_INTR_ANYEDGE)) ||
    (!rose && (intType === GPIO_INTR_NEGEDGE || intType === GPIO_INTR_ANYEDGE));
}

export class BoardRig implements DriverHooks {
  readonly config: RunConfig;
  /** The chip kind under test, booted for this run. */
  readonly chip: BoardChip;
  readonly board: BoardLayers;
  readonly peripheral: Esp32GpioPeripheral;
  /** The XS task's message queue (every poster's: the chip's deliveries, and the other posters of `flood`). */
  readonly queue: FakeMessageQueue;
  readonly model: BoardModel = newModel();
  readonly lines: Readonly<Record<LineName, LineRig>>;
  readonly logs: LogEntry[] = [];
  readonly events: IrqCoreEvent[] = [];
  readonly stats: RunStats = emptyStats();
  /** Messages of other posters (flood) still in the queue. */
  foreignQueued = 0;
  /** The command being run (-1: the set-up), for the messages. */
  step = -1;
  private readonly byIrq = new Map<number, LineRig>();
  private readonly violations: string[] = [];
  /** The last steps, formatted only for a failure's message. */
  private readonly history: { step: number; cmd: Cmd | string; view: BoardView }[] = [];
  /** The view after the last step, while nothing has run since (the state before the next one). */
  lastView: BoardView | undefined;
  private readonly tracked: Tracked[] = [];
  /** Thread names of actions whose free has resolved: they must be gone from the listing. */
  readonly retired = new Set<string>();
  private serial = 0;

  constructor(config: RunConfig, kind: BoardChipKind) {
    this.config = config;
    this.chip = kind.boot({
      config, stallEvents: STALL_EVENTS, core: CORE_OPTIONS, log: (level, message) => this.logs.push({ level, message }),
    });
    this.board = this.chip.layers;
    this.peripheral = this.board.board.gpio;
    this.queue = this.board.provider.fakes.queue;
    const lines = {} as Record<LineName, LineRig>;
    for (const name of LINE_NAMES) lines[name] = this.setUpLine(LINES[name]);
    this.lines = lines;
    this.board.core.onIrqEvent((event) => this.coreDecided(event));
  }

  get sim() {
    return this.board.sim;
  }

  get core() {
    return this.board.core;
  }

  private setUpLine(spec: LineSpec): LineRig {
    const net = this.board.pin(spec.pin);
    const sensors: LevelSensor[] = [];
    let driver: PushPullDriver | undefined;
    if (spec.kind === 'edge') {
      driver = net.pushPull('test');
      driver.drive(0);
    } else {
      // The open-drain INT's pull-up resistor on the board (the chip's pull applies only while the pin is open).
      if (spec.activeLow) net.setPull('up');
      spec.addresses!.forEach((address, i) => {
        const sensor = new LevelSensor(this.sim, this.board.i2c, address, net, { activeLow: spec.activeLow, name: `${spec.name}.${i}` });
        setDeviceInt(sensor, false); // no driver yet: the device's INT is off
        sensors.push(sensor);
      });
    }
    const irq = this.board.gpioToIrq(spec.pin, spec.pinMode);
    const devIds = spec.kind === 'edge' ? Array.from({ length: spec.slots }, (_, slot) => ({ line: spec.name, slot })) : sensors;
    const obs: LineObs = { edges: 0, countsSeen: new Set(), unobservedPrimary: false };
    const line: LineRig = { spec, model: this.model[spec.name], irq, net, sensors, driver, devIds, obs };
    net.onChange((level) => this.padChanged(line, level === 1));
    this.byIrq.set(irq, line);
    return line;
  }

  /** After the peripheral saw the change (it listens first): count an edge of its INT_TYPE, and tell the chip kind. */
  private padChanged(line: LineRig, rose: boolean): void {
    if (!edgeMatches(this.peripheral.intType(line.spec.pin), rose)) return;
    line.obs.edges++;
    this.chip.edgeSeen(line);
  }

  /** The core's decisions: the model follows the disables the core takes itself. */
  private coreDecided(event: IrqCoreEvent): void {
    this.events.push(event);
    const line = this.byIrq.get(event.irq);
    if (line === undefined) return;
    const disabled = event.kind === 'spurious-disable' || event.kind === 'thread-disable' ||
      (event.kind === 'watchdog-stuck' && event.disabled);
    if (event.kind === 'watchdog-stuck') line.model.watchdogFired = true;
    if (event.kind === 'storm-poll' || event.kind === 'storm-resume') line.model.polled = event.kind === 'storm-poll';
    if (event.kind === 'storm-poll') this.stats.storms++;
    if (!disabled) return;
    line.model.depth++;
    line.model.coreDisabled = true;
    this.stats.coreDisables++;
  }

  // ---- views ----

  line(name: LineName): LineRig {
    return this.lines[name];
  }

  all(): LineRig[] {
    return LINE_NAMES.map((name) => this.lines[name]);
  }

  desc(line: LineRig): IrqDescInfo {
    return this.core.irqToDesc(line.irq)!;
  }

  pin(line: LineRig): ChipPinInfo {
    return this.chip.pinInfo(line);
  }

  /** The pin's status latch in the peripheral (GPIO_STATUS). */
  latched(line: LineRig): boolean {
    const pin = line.spec.pin;
    return ((this.peripheral.readStatus(pin >> 5) >>> (pin & 31)) & 1) === 1;
  }

  /** Every line as the layers show it now (the checks of one step share it). */
  view(): BoardView {
    const threads = this.core.irqThreads();
    const lines = this.all().map((line): LineView => {
      const own = threads.filter((t) => t.irq === line.irq);
      return {
        line, d: this.desc(line), p: this.pin(line), threads: own, busy: own.filter((t) => t.state === 'queued' || t.state === 'running'),
        latched: this.latched(line),
      };
    });
    return { time: this.sim.now(), lines };
  }

  /** The pad's level now. */
  level(line: LineRig): 0 | 1 {
    return line.net.level();
  }

  /** The line's level type is asserted on its pad. */
  levelAsserted(line: LineRig): boolean {
    return this.level(line) === (line.spec.activeLow ? 0 : 1);
  }

  /** Messages of the chip (its deliveries: the banks' onReadable, the native module's posts) waiting in the queue. */
  chipMessagesQueued(): number {
    return this.queue.length - this.foreignQueued;
  }

  threadsOf(line: LineRig) {
    return this.core.irqThreads().filter((t) => t.irq === line.irq);
  }

  /** A thread of the line woken and not finished (queued or running). */
  busyThreads(line: LineRig) {
    return this.threadsOf(line).filter((t) => t.state === 'queued' || t.state === 'running');
  }

  warned(since: number, test: (message: string) => boolean): boolean {
    return this.logs.slice(since).some((l) => l.level === 'warn' && test(l.message));
  }

  // ---- the drivers' hooks: what must hold inside a handler ----

  primaryRan(rec: ActionModel): void {
    rec.primaryCalls++;
    const line = this.lines[rec.line];
    if (line.model.depth > 0) this.fail(`${rec.name}: primary handler ran while its line is disabled (model depth ${line.model.depth}, core depth ${this.desc(line).depth})`);
    if (rec.freeCalled) this.fail(`${rec.name}: primary handler ran after freeIrq${rec.freeResolved ? ' resolved' : ' was called'}`);
    line.obs.countsSeen.add(this.desc(line).count);
  }

  threadRan(rec: ActionModel, when: 'started' | 'finished'): void {
    if (when === 'started') this.stats.threadRuns++;
    if (rec.freeResolved) this.fail(`${rec.name}: thread ${when} after freeIrq resolved`);
    const line = this.lines[rec.line];
    // A oneshot thread of a level line runs with its line masked, in the core and in the chip.
    if (rec.oneshot && line.spec.kind === 'level' && !rec.freeCalled && (!this.desc(line).masked || !this.pin(line).masked)) {
      this.fail(`${rec.name}: oneshot thread ${when} with its level line unmasked`);
    }
  }

  // ---- actions ----

  newAction(line: LineRig, slot: number, cmd: Extract<Cmd, { op: 'request' }>): ActionModel {
    const serial = ++this.serial;
    return {
      serial, line: line.spec.name, slot, mode: cmd.mode, oneshot: cmd.oneshot, shared: cmd.shared,
      name: `${line.spec.name}.${slot}#${serial}`, devId: line.devIds[slot], freeCalled: false, freeResolved: false, primaryCalls: 0,
    };
  }

  driverFor(line: LineRig, rec: ActionModel, sleepUs: number) {
    const sensor = line.spec.kind === 'level' ? line.sensors[rec.slot] : undefined;
    return makeDriver({ sim: this.sim, i2c: this.board.i2c, hooks: this }, rec, sensor, sleepUs);
  }

  track(what: string, kind: Tracked['kind'], line: LineRig, promise: Promise<unknown>): void {
    const t: Tracked = { what, kind, line, settled: 'no', error: undefined };
    promise.then(() => {
      t.settled = 'resolved';
    }, (error: unknown) => {
      t.settled = 'rejected';
      t.error = error;
    });
    this.tracked.push(t);
  }

  /** Frees and disables that did not end as the README says: every free resolves; a disable may reject with EDEADLK after a watchdog report. */
  unsettled(): string[] {
    const out: string[] = [];
    for (const t of this.tracked) {
      if (t.settled === 'resolved') continue;
      const deadlock = t.settled === 'rejected' && t.error instanceof IrqError && t.error.code === 'EDEADLK' && t.line.model.watchdogFired;
      if (deadlock && t.kind === 'disable') continue;
      out.push(`${t.what} ${t.settled === 'no' ? 'never settled' : `rejected: ${String(t.error)}`}`);
    }
    return out;
  }

  /** Post `n` messages of another poster that hold their slots for `holdUs` (as many as fit). */
  flood(n: number, holdUs: number): void {
    for (let i = 0; i < n && this.queue.length < this.queue.capacity; i++) {
      this.foreignQueued++;
      this.queue.post(() => {
        this.foreignQueued--;
      }, holdUs);
    }
  }

  /** Add the run's totals (the layers' counters) to its statistics. */
  collectStats(): void {
    const s = this.stats;
    for (const line of this.all()) {
      const d = this.desc(line);
      s.edges += line.obs.edges;
      s.handledEvents += d.count;
      s.deferred += d.deferred;
      s.resends += d.resends;
      s.replays += this.pin(line).replays;
    }
    this.chip.collectStats(this, s);
    s.events += this.sim.eventsRun;
    s.steps += this.step;
  }

  // ---- violations and the story of the run ----

  fail(message: string): void {
    this.violations.push(`step ${this.step}: ${message}`);
  }

  get failed(): boolean {
    return this.violations.length !== 0;
  }

  /** Note a command and the view after it, for a failure's message. */
  note(cmd: Cmd | string, view: BoardView): void {
    this.history.push({ step: this.step, cmd, view });
    if (this.history.length > HISTORY) this.history.shift();
  }

  /** Throw the violations found so far, with the last steps of the run. */
  throwIfFailed(): void {
    if (this.violations.length === 0) return;
    const q = this.queue;
    throw new InvariantError(
      `${this.violations.join('\n')}\n\nrun ${JSON.stringify(this.config)}; queue ${q.length}/${q.capacity}, ` +
        `${this.chip.describe(this)}, core events ${JSON.stringify(this.events.map((e) => `${e.kind}@${e.irq}`))}\n` +
        `the last steps (step @time command, then each line after it):\n${this.history.map((h) => formatStep(this.chip, h)).join('\n')}`,
    );
  }
}

function formatLine(chip: BoardChip, { line, d, p }: LineView): string {
  const flags = [d.disabled && 'disabled', d.masked && 'masked', d.pending && 'pending', d.polled && 'polled', ...chip.flags(p)]
    .filter(Boolean).join(',');
  return `${line.spec.name}[${d.actions.length} act, depth ${d.depth}, type ${d.triggerType}, count ${d.count}, deferred ${d.deferred}, ` +
    `threads ${d.threadsActive}${flags ? `, ${flags}` : ''}]`;
}

function formatStep(chip: BoardChip, { step, cmd, view }: { step: number; cmd: Cmd | string; view: BoardView }): string {
  const text = typeof cmd === 'string' ? cmd : JSON.stringify(cmd);
  return `${String(step).padStart(3)} @${view.time} ${text}\n      ${view.lines.map((v) => formatLine(chip, v)).join(' ')}`;
}
