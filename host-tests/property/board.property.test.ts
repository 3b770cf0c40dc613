/*
 * The board property: random command sequences on the stack that ships, booted by hal/mock/boot.ts: the ESP32
 * HAL's GPIO irq_chip (hal/esp32/gpio.ts) over Moddable's ECMA-419 DigitalBank (the fakes in hal/mock/ecma419/),
 * over ESP-IDF's GPIO driver (hal/mock/esp-idf/gpio.ts), over the GPIO peripheral model
 * (hal/mock/gpio-peripheral.ts), with one IrqCore. Drivers use the core's public API only (requestThreadedIrq,
 * freeIrq, disableIrq/disableIrqNosync/disableHardirq, enableIrq, irqSetIrqType, irqSetIrqWake) and read its
 * views (irqToDesc, irqThreads); the core's own decisions come from core.onIrqEvent.
 *
 * Four lines on three DigitalBanks (board-model.ts): e4 and e33 edge lines driven by the test (e4 with two
 * sharers), s25 a level-low line of two open-drain sensors, p18 a level-high sensor sharing e4's bank. Commands:
 * requests in six driver modes (primary only, sync or async thread, default primary, a thread that throws, one
 * that never settles; oneshot or not; shared or not; IRQF_NO_AUTOEN; deliberately invalid), frees (awaited
 * later), the three disables, enables (unbalanced ones too), trigger types, wake sources, edges and bursts,
 * sensor events (now or during the next advances), other posters filling the XS task's message queue, two
 * probes, and virtual time. Each run draws its queue length (10, 3, 2, 1) and its ISR-to-onReadable latency.
 *
 * Invariants, after every command (board-invariants.ts), inside the handlers (board-rig.ts) and at the end
 * (board-end.ts). Those of the old harness (on the deleted mock chip), re-expressed on this stack:
 *   1. depth equals the model's: outstanding disables, 1 for IRQF_NO_AUTOEN, at least 1 after the last free,
 *      +1 for each disable the core reports (thread-disable, spurious-disable, watchdog-stuck with disabled);
 *      disabled <=> depth > 0; an unbalanced enable warns and leaves depth at 0; the wake depth likewise, and the
 *      HAL holds the pin as a wake source exactly while it is > 0;
 *   2. a request, trigger type or wake source the model says is invalid throws IrqError with the expected code
 *      (EINVAL, EBUSY, and ENOSYS for what the ESP32's ext1 wake cannot keep) and changes nothing, in the core
 *      or in the HAL; a request with no trigger flags gets the line's type;
 *   3. no primary handler runs while the model's depth is > 0 or after freeIrq was called for its action; no
 *      thread runs after its freeIrq resolved; a freed action's thread is gone from irqThreads once it resolves;
 *   4. a level line is masked (in the core and in the HAL's pin) while a oneshot thread woken for it has not
 *      finished, and inside that thread, whatever enableIrq does meanwhile; an enabled, requested line with no
 *      thread busy is unmasked; failDisabled and spuriousDisabled only on a disabled line;
 *   5. the chip mirrors the line: the HAL pin's masked is the core's, its trigger type the model's, it is open
 *      exactly while the line is started with a type, and an open pin is armed in the peripheral (interrupt
 *      enabled, INT_TYPE of its edges: masking is lazy) while a closed one is reset;
 *   6. every interrupt the flow accepted ran the primary handlers; every flow entry is counted: the bits the HAL
 *      delivered, replayed, retriggered or raised as missed each entered the flow (count + deferred), were
 *      latched while masked or ignored (exact on level lines; on edge lines what is left is between 0 and the
 *      missed edges, which are raised merged);
 *   7. the core's edge ledger: deferred = resends + pending + merged, and merged is 0;
 *   8. at the end (threads settled, the test's disables undone, 50 ms later): every free resolved and every
 *      disable settled (one may reject with EDEADLK after a watchdog report), no edge is pending in the core or
 *      the HAL or latched in the peripheral on an enabled line, and no sensor is asserted unless the core
 *      disabled its line (an event), and no run storms (an event budget; the simulator's stall guard).
 * What the HAL chip emulates:
 *   (a) a level line that is enabled, unmasked, idle and asserted with nothing in flight is entered again by
 *       the next advance (the HAL reads the pin at unmask); probeLevel: a sensor event while the line is
 *       disabled is entered exactly once after enableIrq (one level retrigger, each primary once) and served;
 *   (b) an edge the HAL latched while masked, on a pin unmasked since, is replayed by the next advance (or
 *       merged into an entry, and counted), and no pin replays more than it latched or the core resent;
 *       probeEdge: one or two edges while disabled give exactly one replay and one call of each primary after
 *       enableIrq, the second one counted as merged by the HAL;
 *   (c) per pin, the physical edges of the INT_TYPE the peripheral is armed with = the bits delivered to
 *       onReadable + the merges the fake counted (its `triggered` mask and the peripheral's latch) + the
 *       merges on the current latch + the latch itself + latches a bank close dropped during a command +
 *       what was not delivered (silenced, dropped with a queued delivery, on its way): never less; and with no
 *       delivery queued, no bank silent and nothing ever lost (no cancelled delivery, no leaked silent record,
 *       no re-arm), exactly: every edge is a delivery or a counted merge. Undelivered edges are at least those
 *       the fake says fell into silent banks; the HAL saw every onReadable call and every delivered bit;
 *   (d) at the end, a fresh device event on every enabled, requested line reaches its flow within the HAL's
 *       silent-bank recovery bound, silentIdleCheckUs + silentCheckUs (its checks, backed off or not, find a
 *       bank a failed post silenced, re-arm it, raise the missed edge), whatever the run did to the queue.
 *
 * Every violation fails the property: there is no list of tolerated defects. A defect it finds is shrunk to a
 * plain test in regressions.test.ts when it is fixed.
 *
 * A failure prints fast-check's counterexample: [run settings, set-up requests, commands...]. Replay it with
 * `replayBoard(settings, setup, ...commands)` (board-run.ts) in a test, or with FC_SEED and FC_PATH (config.ts).
 * The error names the step and the invariant, and shows the last steps with every line's state after each.
 */
import fc from 'fast-check';
import { commandsArb, configArb, setupArb } from './board-gen';
import type { Cmd, RunConfig } from './board-model';
import { emptyStats, type RunStats } from './board-rig';
import { runBoard } from './board-run';
import { env, propertyParameters } from './config';

const RUNS = 10_000;
const MAX_COMMANDS = 60;

test(`board: ${RUNS} random command sequences on the ESP32 HAL keep every invariant after every step`, async () => {
  const total = emptyStats();
  const params = propertyParameters<[RunConfig, Cmd[], Iterable<unknown>]>(RUNS);
  await fc.assert(
    fc.asyncProperty(configArb, setupArb, commandsArb(MAX_COMMANDS), async (config, setup, cmds) => {
      const stats = await runBoard(config, setup, cmds);
      for (const key of Object.keys(total) as (keyof RunStats)[]) total[key] += stats[key];
    }),
    params,
  );
  if (env('FC_STATS')) console.log(JSON.stringify(total));
  // The sequences did reach what the invariants are about (checked on full runs, not on a replay of a few).
  if ((params.numRuns ?? RUNS) < 1000) return;
  for (const key of [
    'edges', 'fakeCoalesced', 'drops', 'resends', 'replays', 'levelRetriggers', 'postFailures', 'rearms', 'missedEdges',
    'threadRuns', 'invalidRequests', 'coreDisables', 'probes', 'exactLedgerChecks',
  ] as const) {
    expect([key, total[key]]).not.toEqual([key, 0]);
  }
}, 600_000);
