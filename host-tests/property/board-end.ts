/*
 * The end of a board run: let the threads finish, undo the test's disables, let time pass, and check that
 * nothing was left behind (every free and disable settled, no edge pending, no device asserted) and that every
 * line still works: a fresh device event on each enabled line reaches its handler within the HAL's silent-bank
 * recovery time, whatever the sequence did to the message queue (d).
 */
import { edgeOfType, leaveActiveLevel, runStep } from './board-commands';
import { checkAll } from './board-invariants';
import { setDeviceInt } from './board-drivers';
import { SILENT_CHECK_US, SILENT_IDLE_CHECK_US, type BoardRig, type LineRig } from './board-rig';

/** How long each phase of the end runs: past the watchdog (20 ms), many silent-bank checks. */
export const SETTLE_US = 50_000;
/**
 * A fresh event must reach its flow within this (plus the delivery latency): the HAL's documented bound for
 * an edge into a silent bank, the longest check period (the sighting) plus the shortest (the re-arm).
 */
export const RECOVERY_US = SILENT_IDLE_CHECK_US + SILENT_CHECK_US;

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
    rig.fail(`${name}: an edge is still ${d.pending ? 'pending in the core' : rig.pin(line).pending ? 'pending in the HAL' : 'latched in the peripheral'} at the end on an enabled line`);
  }
}

/**
 * (d) A fresh device event on an enabled, requested line reaches the line's flow within RECOVERY_US: a bank
 * a failed post silenced is noticed by the HAL's check and re-armed.
 */
async function freshEvent(rig: BoardRig, line: LineRig): Promise<void> {
  if (line.model.live.length === 0 || line.model.type === 0 || rig.desc(line).disabled) return;
  const before = rig.desc(line);
  const checks = rig.gpio.stats.silentChecks;
  const silenced = rig.fake.stats.silenced;
  if (line.spec.kind === 'edge') {
    // Leave the active level first, for long enough that a check of the HAL sees it (a fall on a rising pin is
    // news to a check only, never to a delivery; the checks may be backed off to their longest period): then
    // the edge is a change the HAL can tell from its levels.
    if (leaveActiveLevel(line)) await settle(rig, SILENT_IDLE_CHECK_US + SILENT_CHECK_US);
    edgeOfType(line);
  } else {
    // The device's INT on (a failing thread never re-enabled what its primary silenced), and an event.
    const sensor = line.sensors[line.model.live[0].slot];
    setDeviceInt(sensor, true);
    sensor.raise(1);
  }
  await settle(rig, RECOVERY_US + rig.config.latencyUs);
  const after = rig.desc(line);
  if (after.count + after.deferred > before.count + before.deferred) return;
  const stopped = rig.gpio.stats.silentChecks === checks;
  const fellSilent = rig.fake.stats.silenced - silenced;
  const timer = stopped ? 'the HAL ran no silent-bank check meanwhile' : `the HAL ran ${rig.gpio.stats.silentChecks - checks} silent-bank checks`;
  rig.fail(`${line.spec.name}: (d) a fresh device event did not reach the line within ${RECOVERY_US} µs: ` +
    `${fellSilent} edges fell into silent banks, ${rig.fake.silentBanks()} banks silent, ${timer}`);
}

/** Advance outside a step: the view of the last step no longer holds. */
async function settle(rig: BoardRig, us: number): Promise<void> {
  rig.lastView = undefined;
  await rig.sim.advance(us);
}

export async function finishRun(rig: BoardRig): Promise<void> {
  rig.step++;
  await settle(rig, SETTLE_US);
  const view = rig.view();
  rig.note('end: settle', view);
  checkAll(rig, view);
  rig.throwIfFailed();
  for (const line of rig.all()) {
    if (line.model.live.length === 0) continue;
    const floor = line.model.coreDisabled ? 1 : 0;
    while (line.model.depth > floor) await runStep(rig, { op: 'enable', line: line.spec.name });
  }
  rig.step++;
  await settle(rig, SETTLE_US);
  const settled = rig.view();
  rig.note('end: disables undone, settled', settled);
  checkAll(rig, settled);
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
  rig.throwIfFailed();
  rig.collectStats();
}
