/*
 * The board property: random command sequences on the stack that ships, over each GPIO irq_chip kind of the
 * project (board-chip.ts, the contract suite's kinds): the ESP32 HAL's DigitalBank chip (hal/esp32/gpio.ts over
 * Moddable's ECMA-419 DigitalBank, the fakes in hal/mock/ecma419/; board-chip-digitalbank.ts) and the native chip
 * (hal/esp32/native-gpio.ts over native/gpio-irq's C built for the host; board-chip-native.ts), both over
 * ESP-IDF's GPIO driver (hal/mock/esp-idf/gpio.ts) and the GPIO peripheral model (hal/mock/gpio-peripheral.ts),
 * with one IrqCore. One suite: the same generators, commands, model and core invariants on each kind, and the
 * same number of runs; what only a kind has (its counters, its ledgers, how it masks) is its file's. Drivers use
 * the core's public API only (requestThreadedIrq, freeIrq, disableIrq/disableIrqNosync/disableHardirq,
 * enableIrq, irqSetIrqType, irqSetIrqWake) and read its views (irqToDesc, irqThreads); the core's own decisions
 * come from core.onIrqEvent.
 *
 * Four lines (board-model.ts): e4 and e33 edge lines driven by the test (e4 with two sharers), s25 a level-low
 * line of two open-drain sensors, p18 a level-high sensor (three DigitalBanks on the DigitalBank chip, p18 in
 * e4's). Commands: requests in six driver modes (primary only, sync or async thread, default primary, a thread
 * that throws, one that never settles; oneshot or not; shared or not; IRQF_NO_AUTOEN; deliberately invalid),
 * frees (awaited later), the three disables, enables (unbalanced ones too), trigger types, wake sources, edges,
 * bursts and trains of edges, sensor events (now or during the next advances), other posters filling the XS
 * task's message queue, two probes, and virtual time. Each run draws its queue length (10, 3, 2, 1) and its
 * ISR-to-JavaScript latency.
 *
 * Invariants, after every command (board-invariants.ts and the kind's file), inside the handlers (board-rig.ts)
 * and at the end (board-end.ts). On every kind (the core, and what both chips share):
 *   1. depth equals the model's: outstanding disables, 1 for IRQF_NO_AUTOEN, at least 1 after the last free,
 *      +1 for each disable the core reports (thread-disable, spurious-disable, watchdog-stuck with disabled);
 *      disabled <=> depth > 0; an unbalanced enable warns and leaves depth at 0; the wake depth likewise, and the
 *      chip holds the pin as a wake source exactly while it is > 0;
 *   2. a request, trigger type or wake source the model says is invalid throws IrqError with the expected code
 *      (EINVAL, EBUSY, and ENOSYS for what the ESP32's ext1 wake cannot keep) and changes nothing, in the core
 *      or in the chip; a request with no trigger flags gets the line's type;
 *   3. no primary handler runs while the model's depth is > 0 or after freeIrq was called for its action; no
 *      thread runs after its freeIrq resolved; a freed action's thread is gone from irqThreads once it resolves;
 *   4. a level line is masked (in the core and in the chip's pin) while a oneshot thread woken for it has not
 *      finished, and inside that thread, whatever enableIrq does meanwhile; an enabled, requested line with no
 *      thread busy is unmasked; failDisabled and spuriousDisabled only on a disabled line;
 *   5. the chip mirrors the line: its pin's masked is the core's, its trigger type the model's, it is open
 *      exactly while the line is started with a type; the peripheral's arming is the kind's (below);
 *   6. every interrupt the flow accepted ran the primary handlers; no pin replays more than it latched or the
 *      core resent; the chip's ledger into the flow is the kind's (below);
 *   7. the core's edge ledger: deferred = resends + pending + merged, and merged is 0;
 *   8. at the end (threads settled, the test's disables undone, 50 ms later): every free resolved and every
 *      disable settled (one may reject with EDEADLK after a watchdog report), no edge is pending in the core or
 *      the chip or latched in the peripheral on an enabled line, and no sensor is asserted unless the core
 *      disabled its line (an event), and no run storms (an event budget; the simulator's stall guard);
 *   (b) an edge the chip latched while masked, on a pin unmasked since, is replayed by the next advance;
 *       probeEdge: one or two edges while disabled give exactly one replay and one call of each primary after
 *       enableIrq, the second one merged into it and counted by the chip;
 *   (d) at the end, a fresh device event on every enabled, requested line reaches its flow within the kind's
 *       recovery bound, whatever the run did to the queue.
 * On the DigitalBank chip (board-chip-digitalbank.ts), what it emulates and counts:
 *   5. an open pin is armed with its type's edge (level types are emulated on their edge; masking is lazy),
 *      interrupt enabled; a closed one is reset;
 *   6. the bits the HAL delivered, replayed, retriggered or raised as missed each entered the flow (count +
 *      deferred), were latched while masked or ignored (exact on level lines; on edge lines what is left is
 *      between 0 and the missed edges, which are raised merged);
 *   (a) a level line that is enabled, unmasked, idle and asserted with nothing in flight is entered again by
 *       the next advance (the HAL reads the pin at unmask); probeLevel: a sensor event while the line is
 *       disabled is entered exactly once after enableIrq (one level retrigger, each primary once) and served;
 *   (c) per pin, the physical edges of the INT_TYPE the peripheral is armed with = the bits delivered to
 *       onReadable + the merges the fake counted (its `triggered` mask and the peripheral's latch) + the
 *       merges on the current latch + the latch itself + latches a bank close dropped during a command +
 *       what was not delivered (silenced, dropped with a queued delivery, on its way): never less; and with no
 *       delivery queued, no bank silent and nothing ever lost (no cancelled delivery, no leaked silent record,
 *       no re-arm), exactly: every edge is a delivery or a counted merge. Undelivered edges are at least those
 *       the fake says fell into silent banks; the HAL saw every onReadable call and every delivered bit;
 *   (d) the bound is the HAL's silent-bank recovery, silentIdleCheckUs + silentCheckUs (its checks, backed off
 *       or not, find a bank a failed post silenced, re-arm it, raise the missed edge).
 * On the native chip (board-chip-native.ts), with real level triggers, masking in the hardware and the ring:
 *   5. an open pin is armed with its type's INT_TYPE (levels too), and its interrupt is disabled only while the
 *      line is masked or the ISR's report of it waits in the ring; a closed one is reset;
 *   6. every event read (and every line entered for its dropped events) and every replay entered the flow, was
 *      latched while masked, or merged into the latch (an edge line's counted in `merged`); every latch set was
 *      replayed, is pending, or was cleared by a command, never in an advance;
 *   (a) once the due events ran, an asserted level pin has its interrupt disabled (the ISR took it and masked
 *       it); a level line that is enabled, unmasked, idle, asserted, its interrupt enabled, with the ring empty
 *       and room in the queue, is entered by the next advance as long as the latency; probeLevel: a sensor
 *       event while disabled is entered once more after enableIrq by a second interrupt (no retrigger) and served;
 *   (c) per edge pin, the physical edges of its INT_TYPE = the ISR's events (line_seqno over the line's opens) +
 *       the peripheral's merges + its latches cleared while the interrupt was disabled (`discarded`) + the latch:
 *       exactly; each level ISR masked its pin; per line, the events = those the chip read + those the ring
 *       dropped + those unread, and with the ring empty the unread are exactly those closes took out of it; the
 *       module's seqno is the lines' events, every post the queue delivered reached the chip's read (but those
 *       on their way when the last line closed), events wait in the ring with no post on its way only after a
 *       post failed, every refused post is the module's, and the chip's counters never go back; the host twin's
 *       spinlock was used correctly;
 *   (d) the bound is two lost-post check periods (postCheckUs: a check reads only after a whole quiet period).
 *
 * Every violation fails the property: there is no list of tolerated defects. A defect it finds is shrunk to a
 * plain test in regressions.test.ts when it is fixed.
 *
 * A failure prints fast-check's counterexample: [run settings, set-up requests, commands...]. Replay it with
 * `replayBoard(settings, setup, ...commands)` (board-run.ts; replayBoardOn for the native kind) in a test, or
 * with FC_SEED and FC_PATH, and FC_CHIP to run one kind (config.ts). The error names the step and the invariant,
 * and shows the last steps with every line's state after each.
 */
import fc from 'fast-check';
import { bootNativeSimBoard } from '../../hal/mock/native/boot';
import type { BoardChipKind } from './board-chip';
import { digitalBankBoard } from './board-chip-digitalbank';
import { nativeBoard } from './board-chip-native';
import { commandsArb, configArb, setupArb } from './board-gen';
import type { Cmd, RunConfig } from './board-model';
import { emptyStats } from './board-rig';
import { runBoard } from './board-run';
import { chipKinds, env, propertyParameters } from './config';

const RUNS = 10_000;
const MAX_COMMANDS = 60;
/** What the runs must reach on every kind (CORE_STATS, board-rig.ts), beside the kind's own (BoardChipKind.coverage). */
const CORE_COVERAGE = ['edges', 'resends', 'replays', 'threadRuns', 'invalidRequests', 'coreDisables', 'probes'];

/** The GPIO irq_chip kinds of the project (host-tests/contract/chips.ts's), each run the same way. */
const BOARD_CHIPS: readonly BoardChipKind[] = [digitalBankBoard, nativeBoard(bootNativeSimBoard)];

describe.each(chipKinds(BOARD_CHIPS))('board property on the $name', (kind) => {
  test(`${RUNS} random command sequences keep every invariant after every step`, async () => {
    const total = emptyStats();
    const params = propertyParameters<[RunConfig, Cmd[], Iterable<unknown>]>(RUNS);
    await fc.assert(
      fc.asyncProperty(configArb, setupArb, commandsArb(MAX_COMMANDS), async (config, setup, cmds) => {
        const stats = await runBoard(kind, config, setup, cmds);
        for (const [key, n] of Object.entries(stats)) total[key] = (total[key] ?? 0) + n;
      }),
      params,
    );
    if (env('FC_STATS')) console.log(`${kind.name}: ${JSON.stringify(total)}`);
    // The sequences did reach what the invariants are about (checked on full runs, not on a replay of a few).
    if ((params.numRuns ?? RUNS) < 1000) return;
    for (const key of [...CORE_COVERAGE, ...kind.coverage]) expect([key, total[key] ?? 0]).not.toEqual([key, 0]);
  }, 600_000);
});
