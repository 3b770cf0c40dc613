/*
 * The model-based harness of the board property (board.property.test.ts): random command sequences over
 * four GPIO lines of the simulated board, run against the real core, with a reference model of what the
 * README documents, and invariants checked after every command.
 *
 * Lines (each a GPIO pin, board.gpioToIrq(pin)):
 *   e4  edge  push-pull driver owned by the test; two request slots (sharers)
 *   e5  edge  push-pull driver owned by the test; one slot
 *   s6  level active low: two LevelSensors, open-drain INT with pull-up (wired-OR); slot k drives sensor k
 *   p7  level active high: one LevelSensor with a push-pull INT
 *
 * Every request is a small, correct driver in one of six modes (primary only, a sync or async thread, a
 * thread with the default primary, a thread that always throws, a thread that never settles). Sensor
 * drivers enable their device's INT after requesting and disable it before freeing, as Linux drivers do;
 * a non-oneshot threaded sensor driver silences the device in its primary handler and enables it again in
 * its thread. So a level line never storms unless the core is wrong.
 *
 * Invariants, after every command (checkLine) and inside the handlers:
 *   - depth equals the model's: outstanding disables, 1 for IRQF_NO_AUTOEN, at least 1 after the last free, +1
 *     for each disable the core logs itself (thread failing, watchdog, nobody cared); disabled <=> depth > 0;
 *     an unbalanced enable warns and leaves depth at 0; the wake depth likewise; masked mirrors the GPIO pin;
 *   - a request the model says is invalid throws IrqError with the expected code and changes nothing (a
 *     request with no trigger flags gets the line's type, so it may share a typed line);
 *   - no primary handler runs while the model's depth is > 0, or after freeIrq was called for its action; no
 *     thread runs after its freeIrq resolved; a freed action's thread is retired once its free resolves;
 *   - a level line is masked while a oneshot thread woken for it has not finished (and inside that thread),
 *     whatever enableIrq is called meanwhile; an enabled, requested line with no thread busy is unmasked; a
 *     line is failDisabled or spuriousDisabled only while it is disabled;
 *   - every entry of the flow handler is counted (count + deferred), and each counted interrupt ran the
 *     primary handlers;
 *   - edge lines, exactly: edges raised + replays = count + deferred + latches cleared by a change to another
 *     trigger type (the same type keeps its latch) + still latched + coalesced by the GPIO hardware; deferred
 *     = resends + pending + merged (the core's counter; a pending edge survives a free and a new request, whose
 *     startup replays it), and merged is 0: on the board nothing reopens a line while an edge is pending;
 *   - at the end (threads settled, the test's disables undone, 100 ms later): every free and disable promise
 *     has resolved (a disableIrq may reject with EDEADLK after a watchdog report, a freeIrq never), no edge is pending or latched on an enabled line,
 *     and no level device is still asserted unless its line was disabled with a logged reason.
 *
 * A sequence is a plain array of commands (Cmd): a counterexample prints as JSON that `runBoardSequence`
 * replays as it is.
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH,
  IRQ_TYPE_LEVEL_LOW, IRQ_WAKE_THREAD, IRQF_NO_AUTOEN, IRQF_ONESHOT, IRQF_SHARED, IrqError,
  type IrqDesc, type IrqDescInfo, type IrqHandler, type IrqThreadFn,
} from '../../firmware/irq';
import fc from 'fast-check';
import { SimBoard } from '../../hal/mock/board';
import { LevelSensor, SENSOR_CTRL, SENSOR_STATUS } from '../../hal/mock/devices';
import { GPIO_INTR_ANYEDGE, GPIO_INTR_NEGEDGE, GPIO_INTR_POSEDGE } from '../../hal/mock/gpio';
import type { PushPullDriver } from '../../hal/mock/wire';
import { sleep } from '../helpers/threads';

// ---- the commands ----

export type EdgeLine = 'e4' | 'e5';
export type LevelLine = 's6' | 'p7';
export type LineName = EdgeLine | LevelLine;
export type Mode = 'primary' | 'thread' | 'thread-async' | 'thread-only' | 'thread-fail' | 'thread-hang';
/** A request made invalid on purpose: unknown flag, two trigger types, empty name, no handler and no thread. */
export type Bad = 'flags' | 'trigger' | 'name' | 'nothing';

export type Cmd =
  | {
      op: 'request'; line: LineName; slot: number; mode: Mode; oneshot: boolean; shared: boolean; trigger: number;
      noAutoen?: boolean; bad?: Bad; sleepUs?: number;
    }
  | { op: 'free'; line: LineName; slot: number }
  | { op: 'disable'; line: LineName; how: 'sync' | 'nosync' | 'hardirq' }
  | { op: 'enable'; line: LineName }
  | { op: 'setType'; line: LineName; type: number }
  | { op: 'wake'; line: LineName; on: boolean }
  /** Device events; with `inUs`, scheduled that far into the next advances instead of now. */
  | { op: 'drive'; line: EdgeLine; level: 0 | 1; inUs?: number }
  /** A burst of level changes in one job: edges the GPIO hardware must merge. */
  | { op: 'toggle'; line: EdgeLine; times: number; inUs?: number }
  | { op: 'raise'; line: LevelLine; slot: number; bits: number; inUs?: number }
  | { op: 'advance'; us: number };

interface LineSpec {
  readonly name: LineName;
  readonly pin: number;
  readonly kind: 'edge' | 'level';
  readonly slots: number;
  /** Trigger types a driver of this line may ask for (level lines: only the one their devices need). */
  readonly types: readonly number[];
  /** Level lines: sensor i2c addresses, one per slot, and whether INT is active low (open-drain). */
  readonly addresses?: readonly number[];
  readonly activeLow?: boolean;
}

export const LINES: Readonly<Record<LineName, LineSpec>> = {
  e4: { name: 'e4', pin: 4, kind: 'edge', slots: 2, types: [IRQ_TYPE_EDGE_RISING, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_BOTH] },
  e5: { name: 'e5', pin: 5, kind: 'edge', slots: 1, types: [IRQ_TYPE_EDGE_RISING, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_BOTH] },
  s6: { name: 's6', pin: 6, kind: 'level', slots: 2, types: [IRQ_TYPE_LEVEL_LOW], addresses: [0x18, 0x19], activeLow: true },
  p7: { name: 'p7', pin: 7, kind: 'level', slots: 1, types: [IRQ_TYPE_LEVEL_HIGH], addresses: [0x1a], activeLow: false },
};
export const LINE_NAMES = Object.keys(LINES) as LineName[];

/** Options of the core on the board: a short watchdog that disables, and few thread retries, so runs stay short. */
export const CORE_OPTIONS = { watchdog: { timeoutUs: 20_000, action: 'disable' as const }, threadRetries: 3 };
/** Simulator events one run may take; a storm-free run takes a few thousand. */
export const EVENT_BUDGET = 200_000;
/** How long the end of a sequence runs, with every disable the test made undone. */
export const SETTLE_US = 100_000;

// ---- what a run learns, for the statistics and the report ----

export interface RunStats {
  /** Edges of the configured type the board raised on edge lines. */
  edges: number;
  /** Edges the GPIO hardware merged into a latched one. */
  coalesced: number;
  /** Interrupts the flows accepted (count), on every line. */
  handledEvents: number;
  deferred: number;
  resends: number;
  /** Latched edges a change to another trigger type cleared (GPIO irqSetType): counted nowhere in the core. */
  typeDropped: number;
  /** Deferred arrivals merged into an already pending one (desc.merged, every line). */
  merged: number;
  threadRuns: number;
  requests: number;
  invalidRequests: number;
  coreDisables: number;
}

export function emptyStats(): RunStats {
  return {
    edges: 0, coalesced: 0, handledEvents: 0, deferred: 0, resends: 0, typeDropped: 0, merged: 0,
    threadRuns: 0, requests: 0, invalidRequests: 0, coreDisables: 0,
  };
}

export interface RunOptions {
  seed?: number;
  /** Called after every command with the command and each line's state: for reading a counterexample. */
  trace?: (text: string) => void;
}

// ---- the model ----

/** One request that succeeded: the driver instance behind an action. */
interface ActionRec {
  readonly serial: number;
  readonly line: LineSpec;
  readonly slot: number;
  readonly mode: Mode;
  readonly oneshot: boolean;
  readonly shared: boolean;
  readonly name: string;
  readonly devId: object;
  freeCalled: boolean;
  freeResolved: boolean;
}

interface LineModel {
  readonly spec: LineSpec;
  readonly irq: number;
  depth: number;
  started: boolean;
  /** A disable the core made itself (thread failing, watchdog, nobody cared) is outstanding. */
  coreDisabled: boolean;
  /** The watchdog reported a stuck thread of this line: waits begun during it may reject with EDEADLK. */
  watchdogFired: boolean;
  wakeDepth: number;
  triggerSet: boolean;
  type: number;
  /** The live actions, in request order. */
  live: ActionRec[];
  /** Edge lines: edges of the configured type the board raised (seen on the net). */
  edges: number;
  /** Entries of the line's flow handler (measured by wrapping it: see wrapFlows). */
  flowEntries: number;
  /** Latched edges a change to another trigger type cleared. */
  typeDropped: number;
  /** desc.count values at which at least one of our primary handlers ran. */
  readonly countsSeen: Set<number>;
  /** A default primary (thread-only request) ran here at some point: its calls are not observed. */
  unobservedPrimary: boolean;
  readonly devIds: object[];
  readonly sensors: LevelSensor[];
  readonly driver: PushPullDriver | undefined;
}

interface Tracked {
  what: string;
  kind: 'free' | 'disable';
  line: LineModel;
  settled: 'no' | 'resolved' | 'rejected';
  value: unknown;
  error: unknown;
}

function edgeMatches(intType: number, rose: boolean): boolean {
  return (rose && (intType === GPIO_INTR_POSEDGE || intType === GPIO_INTR_ANYEDGE)) ||
    (!rose && (intType === GPIO_INTR_NEGEDGE || intType === GPIO_INTR_ANYEDGE));
}

const DESC_FIELDS = [
  'depth', 'wakeDepth', 'count', 'unhandled', 'unhandledTotal', 'deferred', 'resends', 'merged', 'errors', 'disabled',
  'masked', 'pending', 'inProgress', 'started', 'spuriousDisabled', 'triggerType', 'threadsActive', 'polled', 'failDisabled',
] as const;

function snapshot(desc: IrqDescInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { actions: [...desc.actions] };
  for (const f of DESC_FIELDS) out[f] = desc[f];
  return out;
}

export class InvariantError extends Error {}

/**
 * Run one command sequence on a fresh board, checking every invariant after every command, then undo the
 * test's disables, let 100 ms of virtual time pass and check the end state. Throws InvariantError naming the
 * step and the invariant on the first violation.
 */
export async function runBoardSequence(cmds: readonly Cmd[], options: RunOptions = {}): Promise<RunStats> {
  const logs: { level: string; message: string }[] = [];
  const lines = new Map<number, LineModel>();
  const violations: string[] = [];
  const board = new SimBoard({
    seed: options.seed ?? 1,
    core: CORE_OPTIONS,
    log: (level, message) => {
      logs.push({ level, message });
      // The core's own disables: the model follows them when they are logged (just before they happen).
      const m = /^irq (\d+): .* failed \d+ times in a row; disabling IRQ/.exec(message) ??
        /\(irq (\d+)\) has not finished after .*; disabling IRQ/.exec(message) ??
        /^irq (\d+): nobody cared/.exec(message);
      const stuck = /\(irq (\d+)\) has not finished after/.exec(message);
      if (stuck !== null) {
        const line = lines.get(Number(stuck[1]));
        if (line !== undefined) line.watchdogFired = true;
      }
      if (m !== null) {
        const line = lines.get(Number(m[1]));
        if (line !== undefined) {
          line.depth++;
          line.coreDisabled = true;
          stats.coreDisables++;
        }
      }
    },
  });
  const { sim, core, gpio, i2c } = board;
  // A storm at one virtual instant would never let advance() return: past a budget of events, the next event
  // throws, which the simulator turns into advance() rejecting.
  let events = 0;
  const at = sim.at.bind(sim);
  sim.at = (timeUs, cb) => at(timeUs, () => {
    if (++events > EVENT_BUDGET) throw new InvariantError(`step ${step}: more than ${EVENT_BUDGET} simulator events: an interrupt storm`);
    cb();
  });
  const stats = emptyStats();
  const tracked: Tracked[] = [];
  /** Thread names of actions whose free has resolved. */
  const retired = new Set<string>();
  let serial = 0;
  let step = -1;

  const fail = (message: string): void => {
    violations.push(`step ${step}: ${message}`);
  };

  for (const spec of Object.values(LINES)) {
    const net = board.pin(spec.pin);
    const sensors: LevelSensor[] = [];
    let driver: PushPullDriver | undefined;
    if (spec.kind === 'edge') {
      driver = net.pushPull('test');
      driver.drive(0);
    } else {
      spec.addresses!.forEach((address, i) => {
        const sensor = new LevelSensor(sim, i2c, address, net, { activeLow: spec.activeLow, name: `${spec.name}.${i}` });
        sensor.write([SENSOR_CTRL, 0]); // no driver yet: the device's INT is off
        sensors.push(sensor);
      });
    }
    const irq = board.gpioToIrq(spec.pin);
    const line: LineModel = {
      spec, irq, depth: 1, started: false, coreDisabled: false, watchdogFired: false, wakeDepth: 0, triggerSet: false, type: 0, live: [],
      edges: 0, flowEntries: 0, typeDropped: 0, countsSeen: new Set(), unobservedPrimary: false,
      devIds: spec.kind === 'edge' ? Array.from({ length: spec.slots }, (_, slot) => ({ line: spec.name, slot })) : sensors,
      sensors, driver,
    };
    if (spec.kind === 'edge') {
      net.onChange((level) => {
        if (edgeMatches(gpio.intType(spec.pin), level === 1)) line.edges++;
      });
    }
    lines.set(irq, line);
  }
  const byName = (name: LineName): LineModel => [...lines.values()].find((l) => l.spec.name === name)!;
  const desc = (line: LineModel): IrqDescInfo => core.irqToDesc(line.irq)!;
  /**
   * The GPIO model's trigger type change (irqSetType, from irqSetIrqType or a request with trigger flags): a
   * change to another type drops the old type's latched edge, counted nowhere in the core; the same type keeps
   * it. Predicted here from the pin's interrupt type before and after, not read back from the status bit, so
   * the edge accounting also checks that the GPIO model does just that.
   */
  const typeSet = (line: LineModel, latched: boolean, intTypeBefore: number): void => {
    if (line.spec.kind === 'edge' && latched && gpio.intType(line.spec.pin) !== intTypeBefore) line.typeDropped++;
  };
  /**
   * Count the entries of each line's flow handler (the GPIO chip installs a new one on every type change, so
   * this runs after every command): every entry must be counted by the core, accepted or deferred. This one is
   * measured here, not read from the core: count + deferred is the core's own figure for it, so checking it
   * needs an independent count. (Merges into a pending edge are the core's `merged` counter.)
   */
  const wrappedFlows = new WeakSet<object>();
  const wrapFlows = (): void => {
    for (const line of lines.values()) {
      // The live descriptor (irqToDesc gives a frozen snapshot): the harness replaces its flow handler.
      const d = core.descFor(line.irq);
      // A polled line's handleIrq is storm.ts's wrapper, which runs the line's flow from polledFlow.
      const flow = d.polledFlow ?? d.handleIrq;
      if (wrappedFlows.has(flow)) continue;
      const inner = flow;
      const wrapped = (x: IrqDesc): void => {
        line.flowEntries++;
        inner(x);
      };
      wrappedFlows.add(wrapped);
      if (d.polledFlow !== undefined) d.polledFlow = wrapped;
      else d.handleIrq = wrapped;
    }
  };
  const statusBit = (line: LineModel): boolean => ((gpio.status >>> line.spec.pin) & 1) === 1;
  const threadsOf = (line: LineModel) => core.irqThreads().filter((t) => t.irq === line.irq);
  const track = (what: string, kind: Tracked['kind'], line: LineModel, promise: Promise<unknown>): void => {
    const t: Tracked = { what, kind, line, settled: 'no', value: undefined, error: undefined };
    promise.then((value) => Object.assign(t, { settled: 'resolved', value }), (error: unknown) => Object.assign(t, { settled: 'rejected', error }));
    tracked.push(t);
  };

  // ---- the drivers ----

  const readStatus = (sensor: LevelSensor): number => {
    sensor.write([SENSOR_STATUS]);
    return sensor.read(1)[0];
  };
  const setDeviceInt = (sensor: LevelSensor, on: boolean): void => sensor.write([SENSOR_CTRL, on ? 1 : 0]);

  const primaryRan = (rec: ActionRec): void => {
    const line = byName(rec.line.name);
    if (line.depth > 0) fail(`${rec.name}: primary handler ran while its line is disabled (model depth ${line.depth}, core depth ${desc(line).depth})`);
    if (rec.freeCalled) fail(`${rec.name}: primary handler ran after freeIrq${rec.freeResolved ? ' resolved' : ' was called'}`);
    line.countsSeen.add(desc(line).count);
  };
  /** A oneshot thread of a level line runs with its line masked (in the core and in the GPIO hardware). */
  const threadChecks = (rec: ActionRec, when: string): void => {
    if (rec.freeResolved) fail(`${rec.name}: thread ${when} after freeIrq resolved`);
    const line = byName(rec.line.name);
    if (rec.oneshot && line.spec.kind === 'level' && !rec.freeCalled && (!desc(line).masked || gpio.intEnabled(line.spec.pin))) {
      fail(`${rec.name}: oneshot thread ${when} with its level line unmasked`);
    }
  };

  function makeDriver(rec: ActionRec, sleepUs: number): { handler: IrqHandler | null; threadFn: IrqThreadFn | null } {
    const line = rec.line;
    const sensor = line.kind === 'level' ? byName(line.name).sensors[rec.slot] : undefined;
    const threaded = rec.mode !== 'primary';
    let handler: IrqHandler | null;
    if (rec.mode === 'thread-only') {
      handler = null;
    } else if (sensor === undefined) {
      handler = () => (primaryRan(rec), threaded ? IRQ_WAKE_THREAD : IRQ_HANDLED);
    } else {
      handler = () => {
        primaryRan(rec);
        if (!sensor.interruptAsserted) return IRQ_NONE;
        if (!threaded) return readStatus(sensor) !== 0 ? IRQ_HANDLED : IRQ_NONE;
        if (!rec.oneshot) setDeviceInt(sensor, false); // silence the device until the thread has read it
        return IRQ_WAKE_THREAD;
      };
    }
    if (!threaded) return { handler, threadFn: null };
    const begin = (): void => {
      stats.threadRuns++;
      threadChecks(rec, 'started');
    };
    /** The end of a sensor thread's work: re-enable what the primary silenced, unless the driver is going away. */
    const finish = (status: number): number => {
      if (sensor !== undefined && !rec.oneshot && !rec.freeCalled) setDeviceInt(sensor, true);
      threadChecks(rec, 'finished');
      return status !== 0 ? IRQ_HANDLED : IRQ_NONE;
    };
    let threadFn: IrqThreadFn;
    switch (rec.mode) {
      case 'thread':
        threadFn = () => {
          begin();
          return finish(sensor !== undefined ? readStatus(sensor) : 1);
        };
        break;
      case 'thread-async':
      case 'thread-only':
        threadFn = async () => {
          begin();
          let status = 1;
          if (sensor !== undefined) status = await i2c.readRegister(sensor.address, SENSOR_STATUS);
          else await sleep(sim, sleepUs);
          return finish(status);
        };
        break;
      case 'thread-fail':
        threadFn = () => {
          begin();
          throw new Error(`${rec.name} fails`);
        };
        break;
      default: // thread-hang
        threadFn = () => {
          begin();
          return new Promise<number>(() => {});
        };
    }
    return { handler, threadFn };
  }

  // ---- the model's prediction for a request ----

  function predictRequestError(line: LineModel, cmd: Extract<Cmd, { op: 'request' }>, trigger: number): string | undefined {
    if (cmd.bad === 'flags' || cmd.bad === 'trigger' || cmd.bad === 'nothing' || cmd.bad === 'name') return 'EINVAL';
    if (cmd.shared && cmd.noAutoen) return 'EINVAL';
    const old = line.live[0];
    if (old !== undefined) {
      if (!(old.shared && cmd.shared)) return 'EBUSY';
      const oldType = line.triggerSet ? line.type : trigger;
      // A request without trigger flags gets the line's type (the kernel's __setup_irq).
      const asked = trigger === 0 ? oldType : trigger;
      if (oldType !== asked) return 'EBUSY';
      if (old.oneshot !== cmd.oneshot) return 'EBUSY';
      if (line.live.some((a) => a.slot === cmd.slot)) return 'EBUSY';
    }
    if (cmd.mode === 'thread-only' && !cmd.oneshot) return 'EINVAL';
    return undefined;
  }

  // ---- the commands ----

  async function run(cmd: Cmd): Promise<void> {
    if (cmd.op === 'advance') {
      await sim.advance(cmd.us);
      return;
    }
    const line = byName(cmd.line);
    const irq = line.irq;
    switch (cmd.op) {
      case 'request': {
        const spec = line.spec;
        const slot = cmd.slot % spec.slots;
        const trigger = cmd.bad === 'trigger' ? IRQ_TYPE_EDGE_RISING | IRQ_TYPE_LEVEL_HIGH : cmd.trigger;
        let flags = trigger | (cmd.shared ? IRQF_SHARED : 0) | (cmd.oneshot ? IRQF_ONESHOT : 0) | (cmd.noAutoen ? IRQF_NO_AUTOEN : 0);
        if (cmd.bad === 'flags') flags |= 0x40;
        const rec: ActionRec = {
          serial: ++serial, line: spec, slot, mode: cmd.mode, oneshot: cmd.oneshot, shared: cmd.shared,
          name: `${spec.name}.${slot}#${serial}`, devId: line.devIds[slot], freeCalled: false, freeResolved: false,
        };
        let { handler, threadFn } = makeDriver(rec, cmd.sleepUs ?? 200);
        if (cmd.bad === 'nothing') handler = threadFn = null;
        const expected = predictRequestError(line, { ...cmd, slot }, trigger);
        const before = snapshot(desc(line));
        const threadsBefore = core.irqThreads().length;
        const latched = statusBit(line);
        const intTypeBefore = gpio.intType(spec.pin);
        let thrown: unknown;
        try {
          core.requestThreadedIrq(irq, handler, threadFn, flags, cmd.bad === 'name' ? '' : rec.name, rec.devId);
        } catch (err) {
          thrown = err;
        }
        if (expected !== undefined) {
          stats.invalidRequests++;
          if (!(thrown instanceof IrqError)) {
            fail(`request ${JSON.stringify(cmd)} should fail with ${expected}, ${thrown === undefined ? 'but succeeded' : `threw ${String(thrown)}`}`);
          } else {
            if (thrown.code !== expected) fail(`request ${JSON.stringify(cmd)}: ${thrown.code} instead of ${expected} (${thrown.message})`);
            const after = snapshot(desc(line));
            if (JSON.stringify(after) !== JSON.stringify(before)) fail(`failed request changed the line: ${JSON.stringify(before)} -> ${JSON.stringify(after)}`);
            if (core.irqThreads().length !== threadsBefore) fail('failed request left a thread behind');
          }
          return;
        }
        if (thrown !== undefined) {
          fail(`request ${JSON.stringify(cmd)} threw ${String(thrown)}`);
          return;
        }
        stats.requests++;
        if (handler === null) line.unobservedPrimary = true;
        const first = line.live.length === 0;
        line.live.push(rec);
        if (first) {
          // A request with no trigger flags gets the line's type (the kernel's __setup_irq): nothing changes.
          if (trigger !== 0) {
            line.type = trigger;
            line.triggerSet = true;
          }
          typeSet(line, latched, intTypeBefore);
          // A pending edge stays pending: the startup replays it (the edge accounting checks that).
          if (cmd.noAutoen) {
            line.depth = 1;
          } else {
            line.depth = 0;
            line.started = true;
            line.coreDisabled = false;
          }
        }
        if (rec.line.kind === 'level') setDeviceInt(line.sensors[slot], true); // the driver's setup
        return;
      }
      case 'free': {
        const slot = cmd.slot % line.spec.slots;
        const rec = line.live.find((a) => a.slot === slot);
        if (rec === undefined) {
          const warned = logs.length;
          track(`freeIrq(${line.spec.name}, slot ${slot}) of nothing`, 'free', line, core.freeIrq(irq, line.devIds[slot]).then((v) => {
            if (v !== undefined) throw new Error(`resolved to ${String(v)}`);
          }));
          // With sharers left on the line the mistake is the devId, and the warning names the sharers.
          const expected = line.live.length === 0
            ? (m: string) => m === `Trying to free already-free IRQ ${irq}`
            : (m: string) => m.startsWith(`No action of irq ${irq} has that dev_id`) && line.live.every((a) => m.includes(`"${a.name}"`));
          if (!logs.slice(warned).some((l) => l.level === 'warn' && expected(l.message))) {
            fail(`freeing slot ${slot} of ${line.spec.name}, which has no action, did not warn`);
          }
          return;
        }
        if (rec.line.kind === 'level') setDeviceInt(line.sensors[slot], false); // the driver's teardown
        rec.freeCalled = true;
        track(`freeIrq(${rec.name})`, 'free', line, core.freeIrq(irq, rec.devId).then((name) => {
          rec.freeResolved = true;
          if (rec.mode !== 'primary') retired.add(`irq/${irq}-${rec.name}`);
          if (name !== rec.name) throw new Error(`resolved to ${String(name)}, not ${rec.name}`);
        }));
        line.live = line.live.filter((a) => a !== rec);
        if (line.live.length === 0 && line.started) {
          line.depth = Math.max(line.depth, 1);
          line.started = false;
        }
        return;
      }
      case 'disable': {
        const idle = desc(line).threadsActive === 0;
        if (cmd.how === 'sync') track(`disableIrq(${line.spec.name})`, 'disable', line, core.disableIrq(irq));
        else if (cmd.how === 'nosync') core.disableIrqNosync(irq);
        else if (core.disableHardirq(irq) !== idle) fail(`disableHardirq answered ${!idle} with threadsActive ${desc(line).threadsActive}`);
        line.depth++;
        return;
      }
      case 'enable': {
        const warned = logs.length;
        core.enableIrq(irq);
        const unbalanced = logs.slice(warned).some((l) => l.level === 'warn' && l.message === `Unbalanced enable for IRQ ${irq}`);
        if (line.depth === 0) {
          if (!unbalanced) fail(`unbalanced enable of ${line.spec.name} did not warn`);
        } else {
          if (unbalanced) fail(`enable of ${line.spec.name} at depth ${line.depth} warned as unbalanced`);
          if (--line.depth === 0) {
            line.started = true;
            line.coreDisabled = false;
          }
        }
        return;
      }
      case 'setType': {
        const valid = line.spec.types.includes(cmd.type);
        const before = snapshot(desc(line));
        const latched = statusBit(line);
        const intTypeBefore = gpio.intType(line.spec.pin);
        let thrown: unknown;
        try {
          core.irqSetIrqType(irq, cmd.type);
        } catch (err) {
          thrown = err;
        }
        if (!valid) {
          if (!(thrown instanceof IrqError) || thrown.code !== 'EINVAL') fail(`irqSetIrqType(${cmd.type}) should be EINVAL, got ${String(thrown)}`);
          else if (JSON.stringify(snapshot(desc(line))) !== JSON.stringify(before)) fail('failed irqSetIrqType changed the line');
          return;
        }
        if (thrown !== undefined) {
          fail(`irqSetIrqType(${cmd.type}) threw ${String(thrown)}`);
          return;
        }
        line.type = cmd.type;
        line.triggerSet = true;
        typeSet(line, latched, intTypeBefore);
        return;
      }
      case 'wake': {
        const warned = logs.length;
        core.irqSetIrqWake(irq, cmd.on);
        if (cmd.on) line.wakeDepth++;
        else if (line.wakeDepth > 0) line.wakeDepth--;
        else if (!logs.slice(warned).some((l) => l.message === `Unbalanced IRQ ${irq} wake disable`)) fail('unbalanced wake disable did not warn');
        return;
      }
      case 'drive':
      case 'toggle':
      case 'raise': {
        const event = (): void => {
          if (cmd.op === 'drive') line.driver!.drive(cmd.level);
          else if (cmd.op === 'toggle') for (let i = 0; i < cmd.times; i++) line.driver!.drive(line.driver!.driving === 1 ? 0 : 1);
          else line.sensors[cmd.slot % line.sensors.length].raise(cmd.bits);
        };
        if (cmd.inUs === undefined) event();
        else sim.after(cmd.inUs, event);
        return;
      }
    }
  }

  /** A oneshot thread woken for this line's live actions has not finished. */
  function oneshotBusy(line: LineModel): string | undefined {
    const busy = threadsOf(line).filter((t) => t.state === 'queued' || t.state === 'running');
    return busy.find((t) => line.live.some((a) => a.oneshot && t.name === `irq/${line.irq}-${a.name}`))?.name;
  }

  // ---- the invariants, after every command ----

  function checkLine(line: LineModel): void {
    const d = desc(line);
    const name = line.spec.name;
    const pin = line.spec.pin;
    if (d.depth < 0) fail(`${name}: depth ${d.depth} is negative`);
    if (d.depth !== line.depth) fail(`${name}: depth ${d.depth}, the model expects ${line.depth}`);
    if (d.disabled !== d.depth > 0) fail(`${name}: disabled is ${d.disabled} at depth ${d.depth}`);
    if (d.failDisabled && !d.disabled) fail(`${name}: failDisabled on an enabled line`);
    if (d.spuriousDisabled && !d.disabled) fail(`${name}: spuriousDisabled on an enabled line`);
    if (d.masked === gpio.intEnabled(pin)) fail(`${name}: masked is ${d.masked} but the GPIO pin's interrupt enable is ${gpio.intEnabled(pin)}`);
    if (d.wakeDepth !== line.wakeDepth) fail(`${name}: wakeDepth ${d.wakeDepth}, expected ${line.wakeDepth}`);
    if (gpio.wakeupEnabled(pin) !== line.wakeDepth > 0) fail(`${name}: GPIO wakeup enable is ${gpio.wakeupEnabled(pin)} at wake depth ${line.wakeDepth}`);
    const names = line.live.map((a) => a.name);
    if (JSON.stringify(d.actions) !== JSON.stringify(names)) fail(`${name}: actions ${JSON.stringify(d.actions)}, expected ${JSON.stringify(names)}`);
    const busy = threadsOf(line).filter((t) => t.state === 'queued' || t.state === 'running');
    // Oneshot: a level line is masked while any oneshot thread woken for it has not finished.
    if (line.spec.kind === 'level' && !d.masked) {
      const held = oneshotBusy(line);
      if (held !== undefined) fail(`${name}: oneshot thread ${held} has not finished but the line is unmasked`);
    }
    // ... and is unmasked once none is left (when enabled, requested and not polled).
    if (!d.disabled && d.started && d.actions.length > 0 && d.threadsActive === 0 && busy.length === 0 && !d.polled && d.masked) {
      fail(`${name}: enabled, requested, no thread active, but still masked`);
    }
    if (line.spec.kind === 'edge') {
      // Every edge the board raised, and every replay the core asked for, latched the status bit or was merged
      // (coalesced); every latch was handled (count), deferred, cleared by a type change, or is still latched.
      const E = line.edges;
      const C = gpio.coalesced(pin);
      const L = statusBit(line) ? 1 : 0;
      if (E + d.resends !== d.count + d.deferred + line.typeDropped + L + C) {
        fail(`${name}: edge accounting: edges ${E} + resends ${d.resends} != count ${d.count} + deferred ${d.deferred}` +
          ` + dropped by type change ${line.typeDropped} + latched ${L} + coalesced ${C}`);
      }
      // Every deferred edge is replayed (a resend), still pending, or merged into a pending one: the core's
      // `merged` is exact here, as on the board an arrival while the handler runs cannot happen (no loop
      // replays). A pending edge survives a free and a new request, whose startup replays it.
      if (d.deferred !== d.resends + (d.pending ? 1 : 0) + d.merged) {
        fail(`${name}: deferred ${d.deferred} != resends ${d.resends} + pending ${d.pending ? 1 : 0} + merged ${d.merged}`);
      }
      // And nothing merges: a deferral masks the line, and it is unmasked only by an enable or a request, which
      // replay the pending edge first, or by a oneshot thread finishing on an enabled line with an action.
      if (d.merged !== 0) fail(`${name}: ${d.merged} deferred edges merged into a pending one`);
    }
    if (d.count + d.deferred !== line.flowEntries) fail(`${name}: count ${d.count} + deferred ${d.deferred} != flow entries ${line.flowEntries}`);
    // A freed action's thread is retired once its free has resolved.
    for (const t of threadsOf(line)) {
      if (retired.has(t.name)) fail(`${name}: thread ${t.name} is still listed after its freeIrq resolved`);
    }
    // Every accepted arrival ran the primary handlers (on the board a flow runs them once per arrival).
    if (!line.unobservedPrimary && line.countsSeen.size !== d.count) {
      fail(`${name}: count ${d.count}, but primary handlers ran for ${line.countsSeen.size} arrivals`);
    }
  }

  const checkAll = (): void => {
    wrapFlows();
    for (const line of lines.values()) checkLine(line);
    if (violations.length !== 0) throw new InvariantError(violations.join('\n'));
  };

  const trace = (cmd: Cmd): void => {
    if (options.trace === undefined) return;
    const states = [...lines.values()].map((line) => {
      const d = desc(line);
      const flags = [d.disabled && 'disabled', d.masked && 'masked', d.pending && 'pending', d.started && 'started'].filter(Boolean).join(',');
      return `${line.spec.name}[${d.actions.length} act, depth ${d.depth}, type ${d.triggerType}, count ${d.count}, deferred ${d.deferred}, threads ${d.threadsActive}${flags ? `, ${flags}` : ''}]`;
    });
    options.trace(`${String(step).padStart(3)} @${sim.now()} ${JSON.stringify(cmd)}\n      ${states.join(' ')}`);
  };
  wrapFlows();
  for (step = 0; step < cmds.length; step++) {
    await run(cmds[step]);
    trace(cmds[step]);
    checkAll();
  }

  // ---- the end: let the threads finish, undo the test's disables, let time pass, check nothing was left behind ----
  step = cmds.length;
  await run({ op: 'advance', us: SETTLE_US });
  checkAll();
  for (const line of lines.values()) {
    if (line.live.length === 0) continue;
    const floor = line.coreDisabled ? 1 : 0;
    while (line.depth > floor) await run({ op: 'enable', line: line.spec.name });
  }
  checkAll();
  await run({ op: 'advance', us: SETTLE_US });
  checkAll();
  for (const t of tracked) {
    if (t.settled === 'resolved') continue;
    const deadlock = t.settled === 'rejected' && t.error instanceof IrqError && t.error.code === 'EDEADLK' && t.line.watchdogFired;
    // Documented: waits on a line that began during a stuck run are rejected with EDEADLK.
    // A freeIrq waits for its own action only, which ends when the watchdog abandons the run: it resolves.
    if (deadlock && t.kind === 'disable') continue;
    fail(`${t.what} ${t.settled === 'no' ? 'never settled' : `rejected: ${String(t.error)}`}`);
  }
  for (const line of lines.values()) {
    const d = desc(line);
    if (line.live.length === 0 || line.type === 0) continue;
    const reason = line.coreDisabled && d.disabled;
    if (line.spec.kind === 'level') {
      const asserted = line.sensors.filter((s) => s.interruptAsserted);
      if (asserted.length !== 0 && !reason) {
        fail(`${line.spec.name}: ${asserted.map((s) => s.name).join(', ')} still asserted ${SETTLE_US} µs after the end, line ${d.disabled ? 'disabled without a logged reason' : 'enabled'}`);
      }
    } else if (!reason && (d.pending || statusBit(line))) {
      fail(`${line.spec.name}: an edge is still ${d.pending ? 'pending' : 'latched'} ${SETTLE_US} µs after the end on an enabled line`);
    }
  }
  checkAll();

  for (const line of lines.values()) {
    const d = desc(line);
    stats.edges += line.edges;
    stats.coalesced += gpio.coalesced(line.spec.pin);
    stats.handledEvents += d.count;
    stats.deferred += d.deferred;
    stats.resends += d.resends;
    stats.typeDropped += line.typeDropped;
    stats.merged += d.merged;
  }
  return stats;
}

// ---- the generator ----

const BADS: readonly Bad[] = ['flags', 'trigger', 'name', 'nothing'];
/** Advances: within a hardirq's job, an I2C transfer (169 µs), a few, a sleep, past the watchdog (20 ms). */
const ADVANCES = [0, 1, 20, 100, 170, 400, 1000, 3000, 25_000];

/**
 * A trigger a driver of `line` might ask for: edge lines mostly rising (so sharers often agree), sometimes
 * another edge type or none; level lines theirs, sometimes none.
 */
function triggerFor(line: LineName, pick: number): number {
  const spec = LINES[line];
  if (spec.kind === 'edge') {
    const types = [IRQ_TYPE_EDGE_RISING, IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, 0];
    return types[[0, 0, 0, 0, 0, 1, 1, 1, 2, 3][pick % 10]];
  }
  return pick === 9 ? 0 : spec.types[0];
}

/** A type for irqSetIrqType: one the line's devices work with, or one the core must refuse (EINVAL). */
function setTypeFor(line: LineName, pick: number): number {
  const spec = LINES[line];
  const choices = [...spec.types, 0, 5, 16];
  return choices[pick % choices.length];
}

const slotArb = fc.integer({ min: 0, max: 1 });
const weighted = <T>(likely: T, unlikely: T, odds: number): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: fc.constant(likely), weight: odds }, { arbitrary: fc.constant(unlikely), weight: 1 });

/** A request on `line` by a driver in a random mode; `wellFormed` leaves out the deliberately bad ones. */
function requestArb(line: fc.Arbitrary<LineName>, wellFormed: boolean): fc.Arbitrary<Cmd> {
  return fc.record({
    line,
    slot: slotArb,
    mode: fc.oneof(
      { arbitrary: fc.constantFrom<Mode>('primary', 'thread-async'), weight: 6 },
      { arbitrary: fc.constantFrom<Mode>('thread', 'thread-only'), weight: 4 },
      { arbitrary: fc.constantFrom<Mode>('thread-fail', 'thread-hang'), weight: 1 },
    ),
    oneshot: weighted(true, false, 3),
    shared: weighted(true, false, 3),
    trigger: fc.nat(9),
    noAutoen: wellFormed ? fc.constant(false) : weighted(false, true, 9),
    bad: wellFormed ? fc.constant(undefined) : fc.oneof({ arbitrary: fc.constant(undefined), weight: 12 }, { arbitrary: fc.constantFrom(...BADS), weight: 1 }),
    sleepUs: fc.constantFrom(0, 50, 400),
  }).map((r): Cmd => {
    const cmd: Cmd = { op: 'request', line: r.line, slot: r.slot, mode: r.mode, oneshot: r.oneshot, shared: r.shared, trigger: triggerFor(r.line, r.trigger) };
    if (r.noAutoen) cmd.noAutoen = true;
    if (r.bad !== undefined) cmd.bad = r.bad;
    if (r.mode === 'thread-async' || r.mode === 'thread-only') cmd.sleepUs = r.sleepUs;
    return cmd;
  });
}

export function commandArb(): fc.Arbitrary<Cmd> {
  const line = fc.constantFrom(...LINE_NAMES);
  const edgeLine = fc.constantFrom<EdgeLine>('e4', 'e5');
  const levelLine = fc.constantFrom<LevelLine>('s6', 'p7');
  /** Now, or later: during the next advances, between the jobs of hardirqs and threads. */
  const inUs = fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: fc.constantFrom(0, 30, 150, 700), weight: 1 });
  const later = (cmd: Extract<Cmd, { inUs?: number }>, us: number | undefined): Cmd => (us === undefined ? cmd : { ...cmd, inUs: us });
  return fc.oneof(
    { arbitrary: requestArb(line, false), weight: 14 },
    { arbitrary: fc.record({ op: fc.constant('free' as const), line, slot: slotArb }), weight: 5 },
    { arbitrary: fc.record({ op: fc.constant('disable' as const), line, how: fc.constantFrom('sync' as const, 'nosync' as const, 'hardirq' as const) }), weight: 5 },
    { arbitrary: fc.record({ op: fc.constant('enable' as const), line }), weight: 8 },
    { arbitrary: fc.record({ line, pick: fc.nat(5) }).map(({ line: l, pick }): Cmd => ({ op: 'setType', line: l, type: setTypeFor(l, pick) })), weight: 3 },
    { arbitrary: fc.record({ op: fc.constant('wake' as const), line, on: fc.boolean() }), weight: 2 },
    {
      arbitrary: fc.record({ line: edgeLine, level: fc.constantFrom<0 | 1>(0, 1), inUs })
        .map(({ line: l, level, inUs: us }) => later({ op: 'drive', line: l, level }, us)),
      weight: 10,
    },
    {
      arbitrary: fc.record({ line: edgeLine, times: fc.integer({ min: 1, max: 4 }), inUs })
        .map(({ line: l, times, inUs: us }) => later({ op: 'toggle', line: l, times }, us)),
      weight: 8,
    },
    {
      arbitrary: fc.record({ line: levelLine, slot: slotArb, bits: fc.integer({ min: 1, max: 3 }), inUs })
        .map(({ line: l, slot: k, bits, inUs: us }) => later({ op: 'raise', line: l, slot: k, bits }, us)),
      weight: 14,
    },
    { arbitrary: fc.constantFrom(...ADVANCES).map((us): Cmd => ({ op: 'advance', us })), weight: 20 },
  );
}

/**
 * A sequence: a set-up (at most one well-formed request per line, each of which shrinking may drop), then
 * up to `maxLength` random commands.
 */
export function sequenceArb(maxLength: number): fc.Arbitrary<Cmd[]> {
  const setup = fc.tuple(...LINE_NAMES.map((name) => fc.option(requestArb(fc.constant(name), true), { freq: 4 })));
  return fc.tuple(setup, fc.array(commandArb(), { minLength: 1, maxLength, size: 'max' }))
    .map(([requests, cmds]) => [...requests.filter((r): r is Cmd => r !== null), ...cmds]);
}
