/*
 * The board property's commands: what each one does on the rig and the model (execute), the two probes, and
 * the step that wraps every command with the invariants (runStep), as fast-check model-based commands.
 */
import fc from 'fast-check';
import { IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH, IRQF_NO_AUTOEN, IRQF_ONESHOT, IRQF_SHARED, IrqError } from '../../firmware/irq';
import {
  predictRequestError, predictSetTypeError, predictWakeError, type Cmd, type RequestCmd,
} from './board-model';
import type { ProbeCounts, ProbeDelta } from './board-chip';
import { checkAll, checkProgress } from './board-invariants';
import { setDeviceInt } from './board-drivers';
import type { BoardRig, LineRig } from './board-rig';

// ---- the core API, as a driver author calls it ----

function snapshotOf(rig: BoardRig, line: LineRig): string {
  return JSON.stringify({ desc: rig.desc(line), pin: rig.pin(line), threads: rig.core.irqThreads().length });
}

/** A refused call threw IrqError with the expected code and changed nothing (in the core or the chip). */
function expectRefused(rig: BoardRig, what: string, thrown: unknown, code: string, before: string, after: string): void {
  if (!(thrown instanceof IrqError)) {
    rig.fail(`${what} should fail with ${code}, ${thrown === undefined ? 'but succeeded' : `threw ${String(thrown)}`}`);
  } else if (thrown.code !== code) {
    rig.fail(`${what}: ${thrown.code} instead of ${code} (${thrown.message})`);
  } else if (after !== before) {
    rig.fail(`failed ${what} changed the line: ${before} -> ${after}`);
  }
}

function attempt(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err;
  }
}

function request(rig: BoardRig, line: LineRig, cmd: RequestCmd): void {
  const m = line.model;
  const slot = cmd.slot % line.spec.slots;
  const trigger = cmd.bad === 'trigger' ? IRQ_TYPE_EDGE_RISING | IRQ_TYPE_LEVEL_HIGH : cmd.trigger;
  let flags = trigger | (cmd.shared ? IRQF_SHARED : 0) | (cmd.oneshot ? IRQF_ONESHOT : 0) | (cmd.noAutoen ? IRQF_NO_AUTOEN : 0);
  if (cmd.bad === 'flags') flags |= 0x40;
  const rec = rig.newAction(line, slot, cmd);
  let { handler, threadFn } = rig.driverFor(line, rec, cmd.sleepUs ?? 200);
  if (cmd.bad === 'nothing') handler = threadFn = null;
  const expected = predictRequestError(rig.model, m, { ...cmd, slot });
  const before = expected === undefined ? '' : snapshotOf(rig, line);
  const thrown = attempt(() => rig.core.requestThreadedIrq(line.irq, handler, threadFn, flags, cmd.bad === 'name' ? '' : rec.name, rec.devId));
  if (expected !== undefined) {
    rig.stats.invalidRequests++;
    expectRefused(rig, `request ${JSON.stringify(cmd)}`, thrown, expected, before, snapshotOf(rig, line));
    return;
  }
  if (thrown !== undefined) {
    rig.fail(`request ${JSON.stringify(cmd)} threw ${String(thrown)}`);
    return;
  }
  rig.stats.requests++;
  if (handler === null) line.obs.unobservedPrimary = true;
  const first = m.live.length === 0;
  m.live.push(rec);
  if (first) {
    if (trigger !== 0) m.type = trigger;
    if (cmd.noAutoen) {
      m.depth = 1;
    } else {
      m.depth = 0;
      m.started = true;
      m.coreDisabled = false;
    }
  }
  if (line.spec.kind === 'level') setDeviceInt(line.sensors[slot], true); // the driver's setup
}

function free(rig: BoardRig, line: LineRig, slotArg: number): void {
  const m = line.model;
  const slot = slotArg % line.spec.slots;
  const rec = m.live.find((a) => a.slot === slot);
  if (rec === undefined) {
    const since = rig.logs.length;
    rig.track(`freeIrq(${line.spec.name}, slot ${slot}) of nothing`, 'free', line, rig.core.freeIrq(line.irq, line.devIds[slot]).then((v) => {
      if (v !== undefined) throw new Error(`resolved to ${String(v)}`);
    }));
    // With sharers left on the line the mistake is the devId, and the warning names the sharers.
    const expected = m.live.length === 0
      ? (s: string) => s === `Trying to free already-free IRQ ${line.irq}`
      : (s: string) => s.startsWith(`No action of irq ${line.irq} has that dev_id`) && m.live.every((a) => s.includes(`"${a.name}"`));
    if (!rig.warned(since, expected)) rig.fail(`freeing slot ${slot} of ${line.spec.name}, which has no action, did not warn`);
    return;
  }
  if (line.spec.kind === 'level') setDeviceInt(line.sensors[slot], false); // the driver's teardown
  rec.freeCalled = true;
  rig.track(`freeIrq(${rec.name})`, 'free', line, rig.core.freeIrq(line.irq, rec.devId).then((name) => {
    rec.freeResolved = true;
    if (rec.mode !== 'primary') rig.retired.add(`irq/${line.irq}-${rec.name}`);
    if (name !== rec.name) throw new Error(`resolved to ${String(name)}, not ${rec.name}`);
  }));
  m.live = m.live.filter((a) => a !== rec);
  if (m.live.length === 0 && m.started) {
    m.depth = Math.max(m.depth, 1);
    m.started = false;
  }
}

function disable(rig: BoardRig, line: LineRig, how: 'sync' | 'nosync' | 'hardirq'): void {
  const idle = rig.desc(line).threadsActive === 0;
  if (how === 'sync') rig.track(`disableIrq(${line.spec.name})`, 'disable', line, rig.core.disableIrq(line.irq));
  else if (how === 'nosync') rig.core.disableIrqNosync(line.irq);
  else if (rig.core.disableHardirq(line.irq) !== idle) rig.fail(`disableHardirq answered ${!idle} with threadsActive ${rig.desc(line).threadsActive}`);
  line.model.depth++;
}

function enable(rig: BoardRig, line: LineRig): void {
  const m = line.model;
  const since = rig.logs.length;
  rig.core.enableIrq(line.irq);
  const unbalanced = rig.warned(since, (s) => s === `Unbalanced enable for IRQ ${line.irq}`);
  if (m.depth === 0) {
    if (!unbalanced) rig.fail(`unbalanced enable of ${line.spec.name} did not warn`);
    return;
  }
  if (unbalanced) rig.fail(`enable of ${line.spec.name} at depth ${m.depth} warned as unbalanced`);
  if (--m.depth === 0) {
    m.started = true;
    m.coreDisabled = false;
  }
}

function setType(rig: BoardRig, line: LineRig, type: number): void {
  const expected = predictSetTypeError(rig.model, line.model, type);
  const before = expected === undefined ? '' : snapshotOf(rig, line);
  const thrown = attempt(() => rig.core.irqSetIrqType(line.irq, type));
  if (expected !== undefined) {
    expectRefused(rig, `irqSetIrqType(${line.spec.name}, ${type})`, thrown, expected, before, snapshotOf(rig, line));
  } else if (thrown !== undefined) {
    rig.fail(`irqSetIrqType(${line.spec.name}, ${type}) threw ${String(thrown)}`);
  } else {
    line.model.type = type;
  }
}

function setWake(rig: BoardRig, line: LineRig, on: boolean): void {
  const m = line.model;
  const expected = predictWakeError(rig.model, m, on);
  const since = rig.logs.length;
  const before = expected === undefined ? '' : snapshotOf(rig, line);
  const thrown = attempt(() => rig.core.irqSetIrqWake(line.irq, on));
  if (expected !== undefined) {
    expectRefused(rig, `irqSetIrqWake(${line.spec.name}, ${on})`, thrown, expected, before, snapshotOf(rig, line));
    return;
  }
  if (thrown !== undefined) rig.fail(`irqSetIrqWake(${line.spec.name}, ${on}) threw ${String(thrown)}`);
  else if (on) m.wakeDepth++;
  else if (m.wakeDepth > 0) m.wakeDepth--;
  else if (!rig.warned(since, (s) => s === `Unbalanced IRQ ${line.irq} wake disable`)) rig.fail('unbalanced wake disable did not warn');
}

// ---- devices ----

/** Run `event` now, or `inUs` later (during the next advances); the line is busy until then (probes wait). */
function deviceEvent(rig: BoardRig, line: LineRig, inUs: number | undefined, event: () => void): void {
  if (inUs === undefined) {
    event();
    return;
  }
  line.model.scheduled++;
  rig.sim.after(inUs, () => {
    line.model.scheduled--;
    event();
  });
}

function toggle(line: LineRig, times: number): void {
  const driver = line.driver!;
  for (let i = 0; i < times; i++) driver.drive(driver.driving === 1 ? 0 : 1);
}

/** The level an edge of the line's type ends at (undefined for both edges: any change is one). */
function activeLevel(line: LineRig): 0 | 1 | undefined {
  const type = line.model.type;
  if (type === IRQ_TYPE_EDGE_BOTH) return undefined;
  return type === IRQ_TYPE_EDGE_RISING ? 1 : 0;
}

/** Drive an edge line away from its active level (a change its type ignores); true if it was there. */
export function leaveActiveLevel(line: LineRig): boolean {
  const active = activeLevel(line);
  if (active === undefined || line.driver!.driving !== active) return false;
  line.driver!.drive(active === 1 ? 0 : 1);
  return true;
}

/** One physical edge of the line's trigger type (a rising line first goes low if it is high: a fall it ignores). */
export function edgeOfType(line: LineRig): void {
  const active = activeLevel(line);
  if (active === undefined) {
    toggle(line, 1);
    return;
  }
  leaveActiveLevel(line);
  line.driver!.drive(active);
}

// ---- the probes ----

/** The line is quiet in the model: requested by observable primaries, enabled, typed, no device event scheduled anywhere. */
export function quietInModel(rig: BoardRig, line: LineRig): boolean {
  const m = line.model;
  return m.live.length > 0 && m.depth === 0 && !m.coreDisabled && m.type !== 0 &&
    m.live.every((a) => a.mode === 'primary' || a.mode === 'thread' || a.mode === 'thread-async') &&
    rig.all().every((l) => l.model.scheduled === 0);
}

/** Why the rig is not quiet enough for a probe on `line` (undefined: it is). */
/** What is due now (an ISR, a replay, a missed edge's raise) happens first; then a probe runs on a quiet line only (counted). */
async function startProbe(rig: BoardRig, line: LineRig): Promise<boolean> {
  await rig.sim.advance(0);
  if (notQuiet(rig, line) !== undefined) {
    rig.stats.probesSkipped++;
    return false;
  }
  rig.stats.probes++;
  return true;
}

function notQuiet(rig: BoardRig, line: LineRig): string | undefined {
  const d = rig.desc(line);
  const p = rig.pin(line);
  if (!d.started || d.disabled || d.pending || d.polled || d.threadsActive !== 0 || rig.busyThreads(line).length !== 0) return 'line busy';
  if (!p.open || p.masked || p.pending) return 'pin busy';
  if (rig.chip.ioBusy(rig)) return 'io busy';
  if (line.spec.kind === 'level' && rig.levelAsserted(line)) return 'level asserted';
  return undefined;
}

/** The core's counts of the line, the chip's (board-chip.ts), and each live action's primary calls. */
function counts(rig: BoardRig, line: LineRig): ProbeCounts {
  const d = rig.desc(line);
  return {
    count: d.count, deferred: d.deferred, resends: d.resends, ...rig.chip.probeCounts(line), primaries: line.model.live.map((a) => a.primaryCalls),
  };
}

/** Compare the changes since `base` with `expected` (the fields named), failing the probe on any difference. */
function expectDelta(rig: BoardRig, line: LineRig, base: ProbeCounts, stage: string, expected: ProbeDelta): void {
  const now = counts(rig, line);
  const wrong: string[] = [];
  for (const [key, want] of Object.entries(expected) as [keyof ProbeCounts, number][]) {
    if (key === 'primaries') continue;
    const got = (now[key] as number) - (base[key] as number);
    if (got !== want) wrong.push(`${key} +${got}, expected +${want}`);
  }
  if (expected.primaries !== undefined) {
    const calls = now.primaries.map((n, i) => n - base.primaries[i]);
    if (calls.some((n) => n !== expected.primaries)) wrong.push(`primary calls +[${calls.join(', ')}], expected +${expected.primaries} each`);
  }
  if (wrong.length !== 0) rig.fail(`${line.spec.name}: probe, ${stage}: ${wrong.join('; ')}`);
}

/**
 * (b) On a quiet edge line: disable (lazily), one edge (the flow defers it and masks the pin), optionally a
 * second (the chip latches it while masked: the DigitalBank chip in software, the native chip's ISR masks the
 * pin and reports it), enable: one replay, one entry, each primary once; a second edge is merged into the
 * first's replay and counted (the chip's merges).
 */
async function probeEdge(rig: BoardRig, line: LineRig, twice: boolean): Promise<void> {
  if (!(await startProbe(rig, line))) return;
  const wait = rig.config.latencyUs + 30;
  const base = counts(rig, line);
  disable(rig, line, 'nosync');
  edgeOfType(line);
  await rig.sim.advance(wait);
  expectDelta(rig, line, base, 'an edge while disabled', { delivered: 1, deferred: 1, count: 0, primaries: 0 });
  if (twice) {
    edgeOfType(line);
    await rig.sim.advance(wait);
    expectDelta(rig, line, base, 'a second edge while masked', { delivered: 2, deferred: 1, latched: 1, primaries: 0 });
    if (!rig.pin(line).pending) rig.fail(`${line.spec.name}: probe: the second edge is not pending in the chip`);
  }
  enable(rig, line);
  await rig.sim.advance(30);
  // The second edge was merged into the first's replay, and counted: the chip's merges.
  expectDelta(rig, line, base, 'after enableIrq', { count: 1, resends: 1, replays: 1, merges: twice ? 1 : 0, primaries: 1 });
  if (rig.desc(line).pending || rig.pin(line).pending) rig.fail(`${line.spec.name}: probe: an edge is still pending after its replay`);
}

/**
 * (a) On a quiet level line: disable (lazily), a device event (the flow defers it and masks the pin), enable:
 * the level held enters the line once more (the DigitalBank chip's unmask reads it and retriggers; the native
 * chip's unmask enables the pin's level interrupt again, which fires); the driver serves the device.
 */
async function probeLevel(rig: BoardRig, line: LineRig, slotArg: number): Promise<void> {
  const rec = line.model.live[slotArg % line.model.live.length];
  if (!(await startProbe(rig, line))) return;
  const sensor = line.sensors[rec.slot];
  const cleared = sensor.eventsCleared;
  const base = counts(rig, line);
  disable(rig, line, 'nosync');
  sensor.raise(1);
  await rig.sim.advance(rig.config.latencyUs + 30);
  expectDelta(rig, line, base, 'a device event while disabled', { delivered: 1, deferred: 1, count: 0, primaries: 0 });
  if (!rig.pin(line).masked) rig.fail(`${line.spec.name}: probe: the pin is not masked after an arrival on a disabled level line`);
  enable(rig, line);
  await rig.sim.advance(rig.chip.levelReentryUs(rig.config));
  expectDelta(rig, line, base, 'after enableIrq', rig.chip.levelReentry);
  await rig.sim.advance(2_000);
  if (sensor.interruptAsserted || sensor.eventsCleared !== cleared + 1) {
    rig.fail(`${line.spec.name}: probe: the device event was not served (asserted ${sensor.interruptAsserted}, cleared ${sensor.eventsCleared - cleared})`);
  }
}

// ---- one command ----

export async function execute(rig: BoardRig, cmd: Cmd): Promise<void> {
  switch (cmd.op) {
    case 'advance':
      return rig.sim.advance(cmd.us);
    case 'flood':
      return rig.flood(cmd.messages, cmd.holdUs);
    case 'request':
      return request(rig, rig.line(cmd.line), cmd);
    case 'free':
      return free(rig, rig.line(cmd.line), cmd.slot);
    case 'disable':
      return disable(rig, rig.line(cmd.line), cmd.how);
    case 'enable':
      return enable(rig, rig.line(cmd.line));
    case 'setType':
      return setType(rig, rig.line(cmd.line), cmd.type);
    case 'wake':
      return setWake(rig, rig.line(cmd.line), cmd.on);
    case 'drive': {
      const line = rig.line(cmd.line);
      return deviceEvent(rig, line, cmd.inUs, () => line.driver!.drive(cmd.level));
    }
    case 'toggle': {
      const line = rig.line(cmd.line);
      return deviceEvent(rig, line, cmd.inUs, () => toggle(line, cmd.times));
    }
    case 'pulses': {
      const line = rig.line(cmd.line);
      toggle(line, 1);
      for (let i = 1; i < cmd.count; i++) deviceEvent(rig, line, i * cmd.everyUs, () => toggle(line, 1));
      return;
    }
    case 'raise': {
      const line = rig.line(cmd.line);
      return deviceEvent(rig, line, cmd.inUs, () => line.sensors[cmd.slot % line.sensors.length].raise(cmd.bits));
    }
    case 'probeEdge':
      return probeEdge(rig, rig.line(cmd.line), cmd.twice);
    case 'probeLevel':
      return probeLevel(rig, rig.line(cmd.line), cmd.slot);
  }
}

/** Commands that run simulator events (the others cannot let an ISR run). */
function runsEvents(cmd: Cmd): boolean {
  return cmd.op === 'advance' || cmd.op === 'probeEdge' || cmd.op === 'probeLevel';
}

/** Run one command and check every invariant after it; throws InvariantError with the run's last steps. */
export async function runStep(rig: BoardRig, cmd: Cmd): Promise<void> {
  rig.step++;
  const before = rig.lastView ?? rig.view();
  rig.lastView = undefined;
  await execute(rig, cmd);
  const after = rig.view();
  if (cmd.op === 'advance') {
    checkProgress(rig, before, after, cmd.us);
    if (after.time === before.time + cmd.us) rig.chip.checkSettled(rig, after);
  } else if (!runsEvents(cmd)) {
    rig.chip.noteCommand(rig, before, after);
  }
  checkAll(rig, after);
  rig.note(cmd, after);
  rig.throwIfFailed();
  rig.lastView = after;
}

/** Whether `cmd` may run now (the probes need a quiet line). */
export function precondition(rig: BoardRig, cmd: Cmd): boolean {
  if (cmd.op === 'probeEdge' || cmd.op === 'probeLevel') return quietInModel(rig, rig.line(cmd.line));
  return true;
}

/** A command for fast-check's model-based runner: the model is the rig's (BoardRig.model), and so is the real system. */
export class BoardCommand implements fc.AsyncCommand<BoardRig, BoardRig> {
  constructor(readonly cmd: Cmd) {}

  check(rig: Readonly<BoardRig>): boolean {
    return precondition(rig as BoardRig, this.cmd);
  }

  run(_model: BoardRig, rig: BoardRig): Promise<void> {
    return runStep(rig, this.cmd);
  }

  toString(): string {
    return JSON.stringify(this.cmd);
  }
}

