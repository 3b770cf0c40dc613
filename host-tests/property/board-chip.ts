/*
 * The board property's chip-kind seam: what the property needs of the GPIO irq_chip under test, beside the core
 * it checks the same way on every kind. The rig (board-rig.ts) boots one kind per run; the commands, the
 * invariants and the end of a run ask the kind for what only it knows:
 *
 * - how it boots on the simulated board (the hardware, the ECMA-419 fakes, the core: hal/mock/boot.ts's
 *   bootSimLayers for both), and its pin state in the shape the core's checks read (ChipPinInfo);
 * - its own invariants, after every command (checkLine, checkBoard), and what it owes after an advance (a level
 *   line held asserted, for (a)); what a command that runs no simulator event changed below the core
 *   (noteCommand: latches a close dropped, a line's native counters that start again);
 * - the probes' counts and what the probes expect of them, when the I/O is quiet enough for a probe, how long
 *   a fresh event may take at the end (d), and what a run reached (its statistics, the coverage).
 *
 * Two kinds (the contract suite's, host-tests/contract/chips.ts): the DigitalBank chip
 * (board-chip-digitalbank.ts: hal/esp32/gpio.ts over the ECMA-419 DigitalBank fake) and the native chip
 * (board-chip-native.ts: hal/esp32/native-gpio.ts over native/gpio-irq's C built for the host). The native
 * chip's boot is Node-only (koffi), so it is handed in by the test (board.property.test.ts), which the
 * firmware's tsconfig does not compile.
 */
import type { IrqCoreOptions, IrqLog } from '../../firmware/irq';
import type { BootedBoard } from '../../hal/mock/boot';
import type { RunConfig } from './board-model';
import type { BoardRig, BoardView, LineRig, LineView, RunStats } from './board-rig';

/** What both kinds boot on: the board, Moddable's IO fakes, the core, and gpio_to_irq through the chip. */
export type BoardLayers = Omit<BootedBoard, 'gpio'>;

/** The rig's settings of a boot, the same for every kind. */
export interface ChipBootSettings {
  readonly config: RunConfig;
  readonly stallEvents: number;
  readonly core: Omit<IrqCoreOptions, 'platform' | 'log'>;
  readonly log: IrqLog;
}

/** The pin state the core's checks read: what both chips' pinInfo report under the same names. */
export interface ChipPinInfo {
  readonly type: number;
  readonly open: boolean;
  readonly masked: boolean;
  readonly pending: boolean;
  readonly wake: boolean;
  /** Pending edges entered again (unmask, irqRetrigger). */
  readonly replays: number;
  /** Interrupts of a masked line, latched as pending. */
  readonly pendingWhileMasked: number;
}

/**
 * A line's counts the probes compare, in the kind's own counters: interrupts the chip received for the pin
 * (`delivered`), latched while masked, replayed, level lines entered again by the chip itself (`retriggers`),
 * and edges the chip merged into one entry (`merges`).
 */
export interface ChipProbeCounts {
  readonly delivered: number;
  readonly latched: number;
  readonly replays: number;
  readonly retriggers: number;
  readonly merges: number;
}

export interface ProbeCounts extends ChipProbeCounts {
  readonly count: number;
  readonly deferred: number;
  readonly resends: number;
  readonly primaries: readonly number[];
}

export type ProbeDelta = Partial<Record<Exclude<keyof ProbeCounts, 'primaries'>, number>> & { primaries?: number };

/** One chip kind booted for one run. */
export interface BoardChip {
  readonly layers: BoardLayers;
  /** The pin as the chip reports it (taken once per step, in the step's view). */
  pinInfo(line: LineRig): ChipPinInfo;
  /** The peripheral saw a physical edge of the INT_TYPE the pin is armed with (obs.edges was counted). */
  edgeSeen(line: LineRig): void;
  /** The kind's invariants of one line, and of the whole board, after every command. */
  checkLine(rig: BoardRig, v: LineView): void;
  checkBoard(rig: BoardRig, view: BoardView): void;
  /** After a command that runs no simulator event (no ISR, no delivery): what it changed below the core. */
  noteCommand(rig: BoardRig, before: BoardView, after: BoardView): void;
  /**
   * (a) The level line of `v` is enabled, unmasked, idle, open and asserted with nothing in flight toward it:
   * an advance of `us` must enter it again.
   */
  levelEntryDue(rig: BoardRig, v: LineView, us: number): boolean;
  /**
   * After an advance that ran every event due up to its end (the clock landed on its target: no event's CPU
   * cost carried it past, leaving what that event deferred for later): what holds once no event is due.
   */
  checkSettled(rig: BoardRig, view: BoardView): void;
  /** (b) A pending edge's replay came (or was merged, counted) between `was` and `now`. */
  replayProgressed(was: ChipPinInfo, now: ChipPinInfo): boolean;
  /** Something is on its way in the I/O (an interrupt, a delivery, a silent bank): no probe now. */
  ioBusy(rig: BoardRig): boolean;
  probeCounts(line: LineRig): ChipProbeCounts;
  /**
   * The level probe, after enableIrq: how long until the held level is entered again, and the changes since
   * the probe began (a device event while disabled, then the re-entry).
   */
  levelReentryUs(config: RunConfig): number;
  readonly levelReentry: ProbeDelta;
  /**
   * (d) A fresh device event on an enabled line reaches its flow within this (plus the delivery latency), and
   * an edge line first stays off its active level this long (a change the chip can tell from its levels).
   */
  readonly recoveryUs: number;
  readonly quietBeforeEdgeUs: number;
  /** Before a fresh event: a function that tells, after it, what the kind did meanwhile (for a failure's message). */
  watchRecovery(): () => string;
  /** At the very end: what only the kind can check (the native twin's spinlock, say). */
  endChecks(rig: BoardRig): void;
  /** The run's totals of the kind's counters, added to `stats`. */
  collectStats(rig: BoardRig, stats: RunStats): void;
  /** The I/O state for a failure's message. */
  describe(rig: BoardRig): string;
  /** One line's chip flags for a failure's message. */
  flags(p: ChipPinInfo): string[];
}

/** A GPIO irq_chip kind the board property runs on. */
export interface BoardChipKind {
  /** The kind's name in the test's title. */
  readonly name: string;
  /** Counters of the kind (collectStats's keys) that the full runs must have reached, beside the core's. */
  readonly coverage: readonly string[];
  boot(settings: ChipBootSettings): BoardChip;
}

/** Add `n` to a statistic (a kind's keys start at 0). */
export function addStat(stats: RunStats, key: string, n: number): void {
  stats[key] = (stats[key] ?? 0) + n;
}
