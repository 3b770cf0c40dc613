/*
 * The end of a board run: let the threads finish, undo the test's disables, let time pass, and check that
 * nothing was left behind (every free and disable settled, no edge pending, no device asserted) and that every
 * line still works: a fresh device event on each enabled line reaches its handler within the chip kind's
 * recovery time (the DigitalBank chip's silent-bank checks, the native chip's lost-post check), whatever the
 * sequence did to the message queue (d).
 */
import { edgeOfType, leaveActiveLevel, runStep } from './board-commands';
import { checkAll } from './board-invariants';
import { setDeviceInt } from './board-drivers';
import type { BoardRig, LineRig } from './board-rig';

/** How long each phase of the end runs: past the watchdog (20 ms), many silent-bank or lost-post checks. */
export const SETTLE_US = 50_000;

/** The line was disabled by a decision of the core (an event), not by the test: it stays disabled. */
function disabledByCore(rig: BoardRig, line: LineRig): boolean {
  return line.model.coreDisabled && rig.desc(line).disabled;
}

/** Nothing pending or asserted on a requested line the core did not disable. */
function nothingLeft(rig: BoardRig, line: LineRig): void {
  const d = rig.desc(line);
  if (line.model.live.length === 0 || line.model.type === 0 || disabledByCore(rig, line)) return;
  const name = line.spec.name;
  if (line.spec.kind === 'level') {
    const asserted = line.sensors.filter((s) => s.interruptAsserted);
    if (asserted.length === 0) return;
    rig.fail(`${name}: ${asserted.map((s) => s.name).join(', ')} still asserted at the end, line ${d.disabled ? 'disabled without a reported reason' : 'enabled'}`);
  } else if (d.pending || rig.pin(line).pending || rig.latched(line)) {
    rig.fail(`${name}: an edge is still ${d.pending ? 'pending in the core' : rig.pin(line).pending ? 'pending in the chip' : 'latched in the peripheral'} at the end on an enabled line`);
  }
}

/**
 * (d) A fresh device event on an enabled, requested line reaches the line's flow within the kind's recovery
 * bound: on the DigitalBank chip a bank a failed post silenced is noticed by the HAL's check and re-armed; on
 * the native chip events a lost post left in the ring are read by its lost-post check.
 */
async function freshEvent(rig: BoardRig, line: LineRig): Promise<void> {
  if (line.model.live.length === 0 || line.model.type === 0 || rig.desc(line).disabled) return;
  const before = rig.desc(line);
  const story = rig.chip.watchRecovery();
  if (line.spec.kind === 'edge') {
    // Leave the active level first, for as long as the kind needs to see it (the DigitalBank chip's checks): then
    // the edge is a change the chip can tell from its levels.
    if (leaveActiveLevel(line)) await settle(rig, rig.chip.quietBeforeEdgeUs);
    edgeOfType(line);
  } else {
    // The device's INT on (a failing thread never re-enabled what its primary silenced), and an event.
    const sensor = line.sensors[line.model.live[0].slot];
    setDeviceInt(sensor, true);
    sensor.raise(1);
  }
  await settle(rig, rig.chip.recoveryUs + rig.config.latencyUs);
  const after = rig.desc(line);
  if (after.count + after.deferred > before.count + before.deferred) return;
  rig.fail(`${line.spec.name}: (d) a fresh device event did not reach the line within ${rig.chip.recoveryUs} µs: ${story()}`);
}

/**
 * Advance outside a step: the view of the last step no longer holds. True if the clock landed on the target
 * (every event due by then ran: no event's CPU cost carried the clock past it).
 */
async function settle(rig: BoardRig, us: number): Promise<boolean> {
  rig.lastView = undefined;
  const target = rig.sim.now() + us;
  await rig.sim.advance(us);
  return rig.sim.now() === target;
}

export async function finishRun(rig: BoardRig): Promise<void> {
  rig.step++;
  const landed = await settle(rig, SETTLE_US);
  const view = rig.view();
  rig.note('end: settle', view);
  checkAll(rig, view);
  if (landed) rig.chip.checkSettled(rig, view);
  rig.throwIfFailed();
  for (const line of rig.all()) {
    if (line.model.live.length === 0) continue;
    const floor = line.model.coreDisabled ? 1 : 0;
    while (line.model.depth > floor) await runStep(rig, { op: 'enable', line: line.spec.name });
  }
  rig.step++;
  const landedAgain = await settle(rig, SETTLE_US);
  const settled = rig.view();
  rig.note('end: disables undone, settled', settled);
  checkAll(rig, settled);
  if (landedAgain) rig.chip.checkSettled(rig, settled);
  for (const text of rig.unsettled()) rig.fail(text);
  for (const line of rig.all()) nothingLeft(rig, line);
  rig.throwIfFailed();
  for (const line of rig.all()) {
    await freshEvent(rig, line);
    rig.note(`end: fresh event on ${line.spec.name}`, rig.view());
  }
  await settle(rig, SETTLE_US);
  checkAll(rig);
  for (const line of rig.all()) nothingLeft(rig, line);
  rig.chip.endChecks(rig);
  rig.throwIfFailed();
  rig.collectStats();
}
