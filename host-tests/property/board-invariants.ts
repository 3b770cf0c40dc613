/*
 * The board property's invariants, each a small function of the rig (board-rig.ts). checkLines and
 * checkBoard run after every command; watch/checkProgress compare the state before and after an advance;
 * the end of a run is board-end.ts. The list, with the old harness's ones first, is in
 * board.property.test.ts's header.
 */
import type { IrqThreadInfo } from '../../firmware/irq';
import type { Esp32PinInfo } from '../../hal/esp32/gpio';
import {
  GPIO_INTR_ANYEDGE, GPIO_INTR_DISABLE, GPIO_INTR_NEGEDGE, GPIO_INTR_POSEDGE,
} from '../../hal/mock/gpio-peripheral';
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

/** The wake depth nests like the model's; the HAL holds the pin as a wake source exactly while it is > 0. */
function wake({ rig, name, m, d, p }: LineCtx): void {
  if (d.wakeDepth !== m.wakeDepth) rig.fail(`${name}: wakeDepth ${d.wakeDepth}, expected ${m.wakeDepth}`);
  if (p.wake !== m.wakeDepth > 0) rig.fail(`${name}: the HAL's wake source is ${p.wake} at wake depth ${m.wakeDepth}`);
}

// ---- the chip (the HAL) against the core, and the peripheral against the chip ----

/** The HAL's pin mirrors the core's line: masked, trigger type, open exactly while started with a type. */
function chipMirror({ rig, name, m, d, p }: LineCtx): void {
  if (p.masked !== d.masked) rig.fail(`${name}: the core's masked is ${d.masked}, the HAL pin's ${p.masked}`);
  if (p.type !== m.type || d.triggerType !== m.type) rig.fail(`${name}: trigger type: model ${m.type}, core ${d.triggerType}, HAL ${p.type}`);
  const open = d.started && m.type !== 0;
  if (p.open !== open) rig.fail(`${name}: the HAL pin is ${p.open ? 'open' : 'closed'}, the line is ${d.started ? 'started' : 'shut down'} with type ${m.type}`);
}

/** INT_TYPE the HAL's bank arms for a trigger type (level types are emulated on their edge). */
function armedIntType(type: number): number {
  if (type === 3) return GPIO_INTR_ANYEDGE;
  return type === 1 || type === 4 ? GPIO_INTR_POSEDGE : GPIO_INTR_NEGEDGE;
}

/** An open pin is armed in the peripheral (interrupt enabled, the type's edge: masking is lazy); a closed one is reset. */
function peripheralArming({ rig, name, line, m, p }: LineCtx): void {
  const pin = line.spec.pin;
  const intType = rig.peripheral.intType(pin);
  if (p.open) {
    if (!rig.peripheral.intEnabled(pin) || intType !== armedIntType(m.type)) {
      rig.fail(`${name}: open pin armed with INT_TYPE ${intType} (enabled ${rig.peripheral.intEnabled(pin)}), type ${m.type} needs ${armedIntType(m.type)}`);
    }
  } else if (intType !== GPIO_INTR_DISABLE) {
    rig.fail(`${name}: closed pin still armed with INT_TYPE ${intType}`);
  }
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

// ---- the counts, layer by layer ----

/**
 * The core's edge ledger: every deferred arrival is replayed (resends), still pending, or merged into a pending
 * one; and nothing merges on the board (a deferral masks the pin, which the HAL then latches in software).
 */
function coreLedger({ rig, line, name, d }: LineCtx): void {
  if (line.spec.kind !== 'edge') return;
  const pending = d.pending ? 1 : 0;
  if (d.deferred !== d.resends + pending + d.merged) {
    rig.fail(`${name}: deferred ${d.deferred} != resends ${d.resends} + pending ${pending} + merged ${d.merged}`);
  }
  if (d.merged !== 0) rig.fail(`${name}: ${d.merged} deferred edges merged into a pending one`);
}

/**
 * The HAL to the core: the bits delivered for the pin, its replays and level retriggers, and the missed edges
 * it raised, each entered the line's flow (count + deferred), were latched while masked, or were ignored.
 * Missed edges raised are not counted on their own (several found before their raise run are raised as one),
 * so on an edge line what is left is between 0 and missedEdges; a level line's missed edges go through
 * levelRetriggers, so there it is exactly 0.
 */
function halLedger({ rig, line, name, d, p }: LineCtx): void {
  const entries = d.count + d.deferred;
  const raisedMissed = entries + p.ignored + p.pendingWhileMasked - p.edges - p.replays - p.levelRetriggers;
  const max = line.spec.kind === 'edge' ? p.missedEdges : 0;
  if (raisedMissed < 0 || raisedMissed > max) {
    rig.fail(`${name}: HAL ledger: flow entries ${entries} (count ${d.count} + deferred ${d.deferred}) + ignored ${p.ignored} + latched while masked ${p.pendingWhileMasked}` +
      ` - delivered ${p.edges} - replays ${p.replays} - level retriggers ${p.levelRetriggers} = ${raisedMissed}, not within 0..${max} (missed edges raised)`);
  }
}

/** Every replay replays something: a bit latched while masked, or a pending edge the core resent. */
function replayBound({ rig, name, d, p }: LineCtx): void {
  if (p.replays > p.pendingWhileMasked + d.resends) {
    rig.fail(`${name}: ${p.replays} replays for ${p.pendingWhileMasked} latched while masked and ${d.resends} resent: an edge replayed twice`);
  }
}

/**
 * The peripheral and the fake to the HAL, per pin: the physical edges of the armed type minus the bits
 * delivered to onReadable, the merges the fake counted (its `triggered` mask and the peripheral's latch), the
 * merges on the current latch it has not taken yet, the latch itself and the latches a close dropped in a
 * command leave what the fake did not deliver: edges into a silent bank, bits a close dropped, bits waiting for
 * their delivery, latches dropped by a re-arm. Never negative: nothing is delivered that did not happen.
 */
export function undelivered(rig: BoardRig, line: LineRig, p: Esp32PinInfo, latched: boolean): number {
  const pin = line.spec.pin;
  return line.obs.edges - p.edges - rig.fake.coalesced(pin) - rig.unabsorbed(line) - (latched ? 1 : 0) - line.obs.drops;
}

function fakeLedger({ rig, line, name, p, latched }: LineCtx): void {
  const left = undelivered(rig, line, p, latched);
  if (left < 0) {
    rig.fail(`${name}: edges ${line.obs.edges} < delivered ${p.edges} + merged ${rig.fake.coalesced(line.spec.pin)} + on the latch ${rig.unabsorbed(line)}` +
      ` + latched ${latched ? 1 : 0} + dropped ${line.obs.drops}: more reached the HAL than happened`);
  }
}

const LINE_CHECKS: readonly ((c: LineCtx) => void)[] = [
  depthAndFlags, actions, wake, chipMirror, peripheralArming, oneshotMasking, primaryPerCount, retiredThreads,
  coreLedger, halLedger, replayBound, fakeLedger,
];

export function checkLines(rig: BoardRig, view: BoardView): void {
  for (const v of view.lines) {
    const c = ctxOf(rig, v);
    for (const check of LINE_CHECKS) check(c);
  }
}

// ---- the whole board ----

/**
 * Exact where nothing was lost: with no delivery queued and no silent bank, and no bank ever closed with a
 * delivery queued (cancelled), closed silent (leaked) or re-armed, every physical edge of the armed type was
 * delivered, merged (and counted), or is latched: undelivered is 0 on every pin. Otherwise the undelivered
 * edges cover at least those that fell into silent banks.
 */
function fakeLedgerExact(rig: BoardRig, view: BoardView): void {
  const s = rig.fake.stats;
  let total = 0;
  const each: string[] = [];
  for (const { line, p, latched } of view.lines) {
    const left = undelivered(rig, line, p, latched);
    total += left;
    if (left !== 0) each.push(`${line.spec.name} ${left}`);
  }
  if (total < s.silenced) rig.fail(`undelivered edges ${total} (${each.join(', ')}) fewer than the ${s.silenced} that fell into silent banks`);
  const quiet = rig.bankMessagesQueued() === 0 && rig.fake.silentBanks() === 0;
  const lossless = s.cancelled === 0 && s.leakedRecords === 0 && rig.gpio.stats.rearms === 0;
  if (!quiet || !lossless) return;
  if (s.edges !== 0) rig.stats.exactLedgerChecks++;
  if (total !== 0) {
    rig.fail(`edges unaccounted for with nothing lost (no silent bank, no close with a delivery queued): ${each.join(', ')}`);
  }
}

/** Every onReadable reached the HAL, every delivered bit is one of our pins', and no run storms. */
function boardCounts(rig: BoardRig, view: BoardView): void {
  const hal = rig.gpio.stats;
  const fake = rig.fake.stats;
  if (hal.deliveries !== fake.deliveries) rig.fail(`the fake made ${fake.deliveries} onReadable calls, the HAL saw ${hal.deliveries}`);
  const pinBits = view.lines.reduce((n, { p }) => n + p.edges, 0);
  if (pinBits !== hal.edges) rig.fail(`the HAL counted ${hal.edges} delivered bits, its pins ${pinBits}`);
  if (fake.postFailures !== rig.queue.failed) rig.fail(`the queue refused ${rig.queue.failed} posts, the fake counted ${fake.postFailures}`);
  if (rig.sim.eventsRun > EVENT_BUDGET) rig.fail(`more than ${EVENT_BUDGET} simulator events: an interrupt storm`);
}

export function checkBoard(rig: BoardRig, view: BoardView): void {
  boardCounts(rig, view);
  fakeLedgerExact(rig, view);
}

/** After every command, on the view taken after it. */
export function checkAll(rig: BoardRig, view: BoardView = rig.view()): void {
  checkLines(rig, view);
  checkBoard(rig, view);
}

// ---- before and after a command ----

/** What a line owes before an advance: (a) a held level to enter, (b) a latched edge to replay. */
interface Due {
  readonly level: boolean;
  readonly replay: boolean;
}

/**
 * (a) A level line that is enabled, unmasked (core and HAL), idle, open and asserted, with nothing in flight
 * toward it (no status latched, no delivery queued, no silent bank), has a retrigger queued by the HAL's
 * unmask, due now: the next advance must enter it.
 */
function levelEntryDue(rig: BoardRig, { line, d, p, busy }: LineView): boolean {
  return line.spec.kind === 'level' && d.started && d.actions.length > 0 && !d.disabled && !d.masked && !d.polled &&
    d.threadsActive === 0 && busy.length === 0 && p.open && !p.masked && rig.levelAsserted(line) &&
    !rig.peripheral.interruptAsserted && rig.bankMessagesQueued() === 0 && rig.fake.silentBanks() === 0;
}

/** (b) An edge the HAL latched while masked, on a pin unmasked since: its replay is queued, due now. */
function replayDue({ line, d, p }: LineView): boolean {
  return line.spec.kind === 'edge' && d.started && p.open && p.pending && !p.masked;
}

function due(rig: BoardRig, v: LineView): Due {
  return { level: levelEntryDue(rig, v), replay: replayDue(v) };
}

/** After an advance (`before`: the view before it): what was due happened. */
export function checkProgress(rig: BoardRig, before: BoardView, after: BoardView): void {
  before.lines.forEach((was, i) => {
    const owed = due(rig, was);
    const { d, p } = after.lines[i];
    const name = was.line.spec.name;
    if (owed.level && d.count + d.deferred === was.d.count + was.d.deferred) {
      rig.fail(`${name}: (a) level asserted on an enabled, unmasked, idle line, and an advance went by without entering it again`);
    }
    if (owed.replay && p.replays === was.p.replays && p.coalesced === was.p.coalesced && !(p.pending && p.masked)) {
      rig.fail(`${name}: (b) an edge latched while masked is pending on an unmasked pin, and an advance went by without replaying it`);
    }
  });
}

/** After a command that runs no simulator event: a latch that vanished was dropped by a bank's close. */
export function noteDrops(rig: BoardRig, before: BoardView, after: BoardView): void {
  before.lines.forEach((was, i) => {
    if (was.latched && !after.lines[i].latched) {
      was.line.obs.drops++;
      rig.stats.drops++;
    }
  });
}
