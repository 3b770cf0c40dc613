/*
 * The board property's invariants of the core and of what every chip kind shares, each a small function of the
 * rig (board-rig.ts). checkLines and checkBoard run after every command, with the chip kind's own
 * (board-chip-digitalbank.ts, board-chip-native.ts); checkProgress compares the state before and after an
 * advance; the end of a run is board-end.ts. The list, with the old harness's ones first, is in
 * board.property.test.ts's header.
 */
import type { IrqThreadInfo } from '../../firmware/irq';
import type { LineModel } from './board-model';
import { EVENT_BUDGET, type BoardRig, type BoardView, type LineRig, type LineView } from './board-rig';

/** Everything a check of one line reads: the step's view of it, the model, the rig. */
interface LineCtx extends LineView {
  readonly rig: BoardRig;
  readonly name: string;
  readonly m: LineModel;
}

function ctxOf(rig: BoardRig, v: LineView): LineCtx {
  const { line, d, p, threads, busy, latched } = v;
  return { rig, line, d, p, threads, busy, latched, name: line.spec.name, m: line.model };
}

// ---- the core's state against the model ----

/** depth is the model's (outstanding disables, NO_AUTOEN, frees, the core's own disables); disabled <=> depth > 0. */
function depthAndFlags({ rig, name, m, d }: LineCtx): void {
  if (d.depth < 0) rig.fail(`${name}: depth ${d.depth} is negative`);
  if (d.depth !== m.depth) rig.fail(`${name}: depth ${d.depth}, the model expects ${m.depth}`);
  if (d.disabled !== d.depth > 0) rig.fail(`${name}: disabled is ${d.disabled} at depth ${d.depth}`);
  if (d.failDisabled && !d.disabled) rig.fail(`${name}: failDisabled on an enabled line`);
  if (d.spuriousDisabled && !d.disabled) rig.fail(`${name}: spuriousDisabled on an enabled line`);
  if (d.polled !== m.polled) rig.fail(`${name}: polled is ${d.polled}, but the core's storm events say ${m.polled}`);
}

function actions({ rig, name, m, d }: LineCtx): void {
  if (d.actions.length === m.live.length && m.live.every((a, i) => d.actions[i] === a.name)) return;
  rig.fail(`${name}: actions ${JSON.stringify(d.actions)}, expected ${JSON.stringify(m.live.map((a) => a.name))}`);
}

/** The wake depth nests like the model's; the chip holds the pin as a wake source exactly while it is > 0. */
function wake({ rig, name, m, d, p }: LineCtx): void {
  if (d.wakeDepth !== m.wakeDepth) rig.fail(`${name}: wakeDepth ${d.wakeDepth}, expected ${m.wakeDepth}`);
  if (p.wake !== m.wakeDepth > 0) rig.fail(`${name}: the chip's wake source is ${p.wake} at wake depth ${m.wakeDepth}`);
}

// ---- the chip against the core ----

/** The chip's pin mirrors the core's line: masked, trigger type, open exactly while started with a type. */
function chipMirror({ rig, name, m, d, p }: LineCtx): void {
  if (p.masked !== d.masked) rig.fail(`${name}: the core's masked is ${d.masked}, the chip pin's ${p.masked}`);
  if (p.type !== m.type || d.triggerType !== m.type) rig.fail(`${name}: trigger type: model ${m.type}, core ${d.triggerType}, chip ${p.type}`);
  const open = d.started && m.type !== 0;
  if (p.open !== open) rig.fail(`${name}: the chip's pin is ${p.open ? 'open' : 'closed'}, the line is ${d.started ? 'started' : 'shut down'} with type ${m.type}`);
}

// ---- oneshot and masking ----

/** A oneshot thread woken for this line's live actions that has not finished. */
function oneshotBusy(line: LineRig, busy: readonly IrqThreadInfo[]): string | undefined {
  return busy.find((t) => line.model.live.some((a) => a.oneshot && t.name === `irq/${line.irq}-${a.name}`))?.name;
}

/** A level line stays masked while a oneshot thread woken for it runs; an enabled, idle line is unmasked. */
function oneshotMasking({ rig, line, name, d, busy }: LineCtx): void {
  if (line.spec.kind === 'level' && !d.masked) {
    const held = oneshotBusy(line, busy);
    if (held !== undefined) rig.fail(`${name}: oneshot thread ${held} has not finished but the line is unmasked`);
  }
  if (!d.disabled && d.started && d.actions.length > 0 && d.threadsActive === 0 && busy.length === 0 && !d.polled && d.masked) {
    rig.fail(`${name}: enabled, requested, no thread active, but still masked`);
  }
}

/** Every interrupt the flow accepted ran the primary handlers (once per arrival on the board). */
function primaryPerCount({ rig, line, name, d }: LineCtx): void {
  if (!line.obs.unobservedPrimary && line.obs.countsSeen.size !== d.count) {
    rig.fail(`${name}: count ${d.count}, but primary handlers ran for ${line.obs.countsSeen.size} arrivals`);
  }
}

function retiredThreads({ rig, name, threads }: LineCtx): void {
  for (const t of threads) {
    if (rig.retired.has(t.name)) rig.fail(`${name}: thread ${t.name} is still listed after its freeIrq resolved`);
  }
}

// ---- the counts: the core's, and the chip's replays ----

/**
 * The core's edge ledger: every deferred arrival is replayed (resends), still pending, or merged into a pending
 * one; and nothing merges on the board (a deferral masks the pin, which the chip then latches: in software on
 * the DigitalBank chip, the hardware's report on the native one).
 */
function coreLedger({ rig, line, name, d }: LineCtx): void {
  if (line.spec.kind !== 'edge') return;
  const pending = d.pending ? 1 : 0;
  if (d.deferred !== d.resends + pending + d.merged) {
    rig.fail(`${name}: deferred ${d.deferred} != resends ${d.resends} + pending ${pending} + merged ${d.merged}`);
  }
  if (d.merged !== 0) rig.fail(`${name}: ${d.merged} deferred edges merged into a pending one`);
}

/** Every replay replays something: an interrupt latched while masked, or a pending edge the core resent. */
function replayBound({ rig, name, d, p }: LineCtx): void {
  if (p.replays > p.pendingWhileMasked + d.resends) {
    rig.fail(`${name}: ${p.replays} replays for ${p.pendingWhileMasked} latched while masked and ${d.resends} resent: an edge replayed twice`);
  }
}

const LINE_CHECKS: readonly ((c: LineCtx) => void)[] = [
  depthAndFlags, actions, wake, chipMirror, oneshotMasking, primaryPerCount, retiredThreads, coreLedger, replayBound,
];

export function checkLines(rig: BoardRig, view: BoardView): void {
  for (const v of view.lines) {
    const c = ctxOf(rig, v);
    for (const check of LINE_CHECKS) check(c);
    rig.chip.checkLine(rig, v);
  }
}

// ---- the whole board ----

export function checkBoard(rig: BoardRig, view: BoardView): void {
  if (rig.sim.eventsRun > EVENT_BUDGET) rig.fail(`more than ${EVENT_BUDGET} simulator events: an interrupt storm`);
  rig.chip.checkBoard(rig, view);
}

/** After every command, on the view taken after it. */
export function checkAll(rig: BoardRig, view: BoardView = rig.view()): void {
  checkLines(rig, view);
  checkBoard(rig, view);
}

// ---- before and after a command ----

/** (b) An edge the chip latched while masked, on a pin unmasked since: its replay is queued, due now. */
function replayDue({ line, d, p }: LineView): boolean {
  return line.spec.kind === 'edge' && d.started && p.open && p.pending && !p.masked;
}

/** After an advance of `us` (`before`: the view before it): what was due happened. */
export function checkProgress(rig: BoardRig, before: BoardView, after: BoardView, us: number): void {
  before.lines.forEach((was, i) => {
    const { d, p } = after.lines[i];
    const name = was.line.spec.name;
    if (rig.chip.levelEntryDue(rig, was, us) && d.count + d.deferred === was.d.count + was.d.deferred) {
      rig.fail(`${name}: (a) level asserted on an enabled, unmasked, idle line, and an advance went by without entering it again`);
    }
    if (replayDue(was) && !rig.chip.replayProgressed(was.p, p) && !(p.pending && p.masked)) {
      rig.fail(`${name}: (b) an edge latched while masked is pending on an unmasked pin, and an advance went by without replaying it`);
    }
  });
}
