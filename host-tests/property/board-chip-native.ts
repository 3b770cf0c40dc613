/*
 * The board property on the native chip (board-chip.ts): hal/esp32/native-gpio.ts `Esp32NativeGpio` over the
 * native module's C (native/gpio-irq) compiled for the host and loaded with koffi, its ISR called by ESP-IDF's
 * GPIO driver twin on the peripheral model, its posts in the XS task's message queue fake, as
 * bootNativeSimBoard (hal/mock/native/boot.ts) boots it. That boot is Node-only, so the test hands it in
 * (nativeBoard(bootNativeSimBoard)): this file, which the firmware's tsconfig compiles, imports none of it.
 *
 * What differs from the DigitalBank chip, and what the property checks of it instead:
 * - Level types are real: the pin is armed with the level's INT_TYPE, the ISR masks a level pin in the
 *   hardware at every interrupt (isr_masks = line_seqno), unmask enables it again and a level still asserted
 *   interrupts at once (a: the next advance as long as the delivery latency enters it). No emulation, no
 *   levelRetriggers.
 * - Masking is lazy in the hardware: a masked line's next interrupt is reported, the ISR disables the pin, and
 *   the chip latches the report (`pending`) and replays it once at unmask (b). A pin disabled in the hardware
 *   is masked in the chip, or its report is still in the ring: never stuck.
 * - Every interrupt is an event in the 64-event ring, the oldest dropped (counted per line) when it is full;
 *   a post lost to the full message queue is undone, and the ring is read by the lost-post check (postCheckUs)
 *   when no interrupt posts again. The DigitalBank things (silent banks, bank groups, `triggered` masks,
 *   reopens, re-arms, both-edge parity) do not exist.
 *
 * The ledgers, per line, layer by layer, with nothing silent:
 * - the peripheral to the C (edge lines): every physical edge of the armed type took an ISR (an event: the
 *   line's line_seqno, summed over the line's opens), merged into a latched status bit (the peripheral's
 *   `coalesced`), was latched while the pin's interrupt was disabled and cleared by an unmask, a type change
 *   or a close (`discarded`), or is latched now. Exactly.
 * - the C to the chip: every event was read by the chip (pinInfo events - droppedEntries), dropped by the full
 *   ring (the C's per-line count), or is still in the ring; with the ring empty, what is left is exactly the
 *   events still unread when their line closed (the close takes them out of the ring): none reaches a later open
 *   of the line, and no drop of one counts against it.
 * - the chip to the core: every event read (and every line entered for its dropped events) and every replay
 *   entered the flow (count + deferred), or was latched while masked, or merged into a latched one (an edge
 *   line's: at most `merged`; a level line's merges are not counted, so there only the lower bound holds).
 * - the chip's latch (edge lines): every latch (pendingWhileMasked) and every resend not merged into one
 *   (resends - merged of retriggers) was replayed, is pending, or was cleared by a command (a shutdown, a
 *   startup, a type change), never during an advance.
 * - the whole module: its seqno is the lines' events; every post the queue delivered reached the chip's read
 *   (but those on their way when the last line closed: the chip stops listening then), and events wait in the
 *   ring with no post on its way only after a post failed; every post the queue refused is the C's
 *   postFailures; the chip's counters never go back.
 */
import { IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH, IRQ_TYPE_LEVEL_LOW } from '../../firmware/irq';
import type { Esp32NativeGpio, Esp32NativeGpioOptions, Esp32NativeGpioStats, Esp32NativePinInfo } from '../../hal/esp32/native-gpio';
import {
  NATIVE_LINE_COUNTERS, NATIVE_LINE_DROPPED, NATIVE_LINE_ISR_MASKS, NATIVE_LINE_SEQNO, type NativeGpioModule,
} from '../../hal/esp32/native-gpio-module';
import type { BootOptions } from '../../hal/mock/boot';
import {
  GPIO_INTR_ANYEDGE, GPIO_INTR_DISABLE, GPIO_INTR_HIGH_LEVEL, GPIO_INTR_LOW_LEVEL, GPIO_INTR_NEGEDGE, GPIO_INTR_POSEDGE,
} from '../../hal/mock/gpio-peripheral';
import {
  addStat, type BoardChip, type BoardChipKind, type BoardLayers, type ChipBootSettings, type ChipPinInfo, type ChipProbeCounts,
} from './board-chip';
import type { LineName, RunConfig } from './board-model';
import type { BoardRig, BoardView, LineRig, LineView, RunStats } from './board-rig';

/** What bootNativeSimBoard (hal/mock/native/boot.ts) returns, as far as the property reads it. */
export interface NativeBoardLayers extends BoardLayers {
  readonly gpio: Esp32NativeGpio;
  /** The native module's test-bench view: its functions, and the spinlock misuses the host twin saw. */
  readonly native: { readonly module: NativeGpioModule; lockErrors(): number };
}

export type NativeBoot = (options: Omit<BootOptions, 'gpio'> & { gpio?: Omit<Esp32NativeGpioOptions, 'soc'> }) => NativeBoardLayers;

/**
 * The lost-post check's period: short, so a post lost to a full queue (a run's floods) is found within a
 * sequence, as the DigitalBank chip's silent-bank check is.
 */
export const POST_CHECK_US = 2_000;
/**
 * A fresh event reaches its flow within this (plus the delivery latency): a check that finds events waiting
 * reads them only if no delivery came for a whole period, so a lost post is found within two.
 */
export const NATIVE_RECOVERY_US = 2 * POST_CHECK_US;

/** gpio_int_type_t of each trigger type: the INT_TYPE the module arms (real level types). */
const NATIVE_INT_TYPE: Readonly<Record<number, number>> = Object.freeze({
  [IRQ_TYPE_EDGE_RISING]: GPIO_INTR_POSEDGE,
  [IRQ_TYPE_EDGE_FALLING]: GPIO_INTR_NEGEDGE,
  [IRQ_TYPE_EDGE_BOTH]: GPIO_INTR_ANYEDGE,
  [IRQ_TYPE_LEVEL_LOW]: GPIO_INTR_LOW_LEVEL,
  [IRQ_TYPE_LEVEL_HIGH]: GPIO_INTR_HIGH_LEVEL,
});

/** The chip's pin, with the C's own counters of the line's current open (0 while it is closed). */
interface NativeLinePin extends Esp32NativePinInfo {
  /** line_seqno, the ring's drops of the line, the ISR's maskings of its pin: since the line was opened. */
  readonly cSeqno: number;
  readonly cDropped: number;
  readonly isrMasks: number;
}

/** What the rig keeps of one line on this kind, across the line's opens (the C's counters start again at each). */
interface NativeObs {
  /** Events the C made on the line and drops it counted, in the opens that ended. */
  closedSeqno: number;
  closedDropped: number;
  /** Events still unread when their line closed (the close takes them out of the ring), over all closes. */
  unreadAtClose: number;
  /** Edge lines: pending latches the chip cleared in commands (a shutdown, a startup, a type change). */
  pendingCleared: number;
}

/** The chip's counters that only grow: per pin, and in all. */
const PIN_COUNTERS = ['events', 'pendingWhileMasked', 'replays', 'dropped', 'droppedEntries', 'merged'] as const;
const CHIP_COUNTERS = [...PIN_COUNTERS, 'deliveries', 'postFailures', 'lostPostsFound'] as const;

class NativeBoardChip implements BoardChip {
  readonly layers: NativeBoardLayers;
  private readonly gpio: Esp32NativeGpio;
  private readonly module: NativeGpioModule;
  private readonly words = new ArrayBuffer(NATIVE_LINE_COUNTERS * 4);
  private readonly lineWords = new Uint32Array(this.words);
  private readonly obs = new Map<LineName, NativeObs>();
  /** The module's counters, read once for all the checks of a state (FFI calls are not free): see counters(). */
  private cached: { readonly at: number; readonly step: number; readonly counters: ReturnType<Esp32NativeGpio['nativeCounters']> } | undefined;
  /**
   * The module's posts on their way when a command closed the chip's last line: the chip stops listening then
   * (onReadable(undefined)), so they may reach no reader (its next open reads the ring, so the module posts again).
   */
  private unheardPosts = 0;
  /** The module's postFailures when the ring was last seen empty. */
  private failuresWhenEmpty = 0;
  /** The chip's counters at the last check: none may go back. */
  private lastStats: Esp32NativeGpioStats | undefined;
  private readonly lastPins = new Map<LineName, NativeLinePin>();
  readonly levelReentry = { count: 1, deferred: 1, delivered: 2, latched: 0, primaries: 1 };
  readonly recoveryUs = NATIVE_RECOVERY_US;
  /** The native chip tells an edge from the interrupt itself: the fresh edge needs no quiet spell before it. */
  readonly quietBeforeEdgeUs = 0;

  constructor(boot: NativeBoot, { config, stallEvents, core, log }: ChipBootSettings) {
    this.layers = boot({
      seed: config.seed, queueLength: config.queueLength, latencyUs: config.latencyUs, stallEvents, core, log,
      gpio: { postCheckUs: POST_CHECK_US },
    });
    this.gpio = this.layers.gpio;
    this.module = this.layers.native.module;
  }

  /** This kind's own view of its pins: every LineView's `p` was made by pinInfo below. */
  private info(v: { readonly p: ChipPinInfo }): NativeLinePin {
    return v.p as NativeLinePin;
  }

  private obsOf(line: LineRig): NativeObs {
    let o = this.obs.get(line.spec.name);
    if (o === undefined) {
      o = { closedSeqno: 0, closedDropped: 0, unreadAtClose: 0, pendingCleared: 0 };
      this.obs.set(line.spec.name, o);
    }
    return o;
  }

  pinInfo(line: LineRig): NativeLinePin {
    const p = this.gpio.pinInfo(line.spec.pin);
    if (!p.open) return { ...p, cSeqno: 0, cDropped: 0, isrMasks: 0 };
    this.module.lineCounters(line.spec.pin, this.words);
    const w = this.lineWords;
    return { ...p, cSeqno: w[NATIVE_LINE_SEQNO], cDropped: w[NATIVE_LINE_DROPPED], isrMasks: w[NATIVE_LINE_ISR_MASKS] };
  }

  edgeSeen(): void {}

  /**
   * The module's counters now. They change only in its ISR and its reads, which run in simulator events, never
   * in a command: one read per step and per run of events serves every check.
   */
  private counters(rig: BoardRig): ReturnType<Esp32NativeGpio['nativeCounters']> {
    const at = rig.sim.eventsRun;
    const c = this.cached;
    if (c !== undefined && c.at === at && c.step === rig.step) return c.counters;
    const counters = this.gpio.nativeCounters();
    this.cached = { at, step: rig.step, counters };
    return counters;
  }

  // ---- the ledgers' terms ----

  /** Events the C made on the line, over all its opens. */
  private isrEvents(line: LineRig, p: NativeLinePin): number {
    return this.obsOf(line).closedSeqno + p.cSeqno;
  }

  /**
   * The line's events neither read by the chip nor dropped by the ring (the C's counts): still in the ring, or
   * taken out of it by a close.
   */
  private unread(line: LineRig, p: NativeLinePin): number {
    return this.isrEvents(line, p) - this.obsOf(line).closedDropped - p.cDropped - (p.events - p.droppedEntries);
  }

  /**
   * Interrupts the chip received for the line (events read, lines entered for their dropped events, replays)
   * that neither entered the flow nor were latched as pending: merged into a pending latch.
   */
  private mergedIntoLatch(v: LineView): number {
    const p = this.info(v);
    return p.events + p.replays - (v.d.count + v.d.deferred) - p.pendingWhileMasked;
  }

  /**
   * Edge lines: the latches set (latched while masked, and resends not merged into one) minus those replayed
   * and the one pending: those the chip cleared. `merged` counts the merges into a latch and the resends that
   * found one; mergedIntoLatch tells the first apart.
   */
  private latchesCleared(v: LineView): number {
    const p = this.info(v);
    const resendMerges = p.merged - this.mergedIntoLatch(v);
    return p.pendingWhileMasked + v.d.resends - resendMerges - p.replays - (p.pending ? 1 : 0);
  }

  // ---- per line ----

  checkLine(rig: BoardRig, v: LineView): void {
    this.peripheralArming(rig, v);
    this.peripheralLedger(rig, v);
    this.ringLedger(rig, v);
    this.chipLedger(rig, v);
    this.pinCountersGrow(rig, v);
  }

  /**
   * 5: an open pin is armed with its type's INT_TYPE (levels are real), and its interrupt is enabled unless the
   * chip masked the line or the ISR's report of it is still to be read (an event in the ring, or its drop: the
   * ISR disabled it, and nobody has read why); a closed pin is reset.
   */
  private peripheralArming(rig: BoardRig, v: LineView): void {
    const { line, p } = v;
    const pin = line.spec.pin;
    const name = line.spec.name;
    const intType = rig.peripheral.intType(pin);
    const enabled = rig.peripheral.intEnabled(pin);
    if (!p.open) {
      if (intType !== GPIO_INTR_DISABLE || enabled) rig.fail(`${name}: closed pin still armed with INT_TYPE ${intType} (enabled ${enabled})`);
      return;
    }
    const type = line.model.type;
    if (intType !== NATIVE_INT_TYPE[type]) rig.fail(`${name}: open pin armed with INT_TYPE ${intType}, type ${type} needs ${NATIVE_INT_TYPE[type]}`);
    const counters = this.counters(rig);
    if (!enabled && !p.masked && counters.queued === 0 && counters.droppedLines === 0) {
      rig.fail(`${name}: the pin's interrupt is disabled in the hardware, the line is not masked and no event or drop waits to be read: it is stuck`);
    }
  }

  /**
   * The peripheral to the C. Edge lines: every physical edge of the armed type took an ISR (an event), merged
   * into a latched status bit, was discarded with a latch cleared while the pin's interrupt was disabled, or is
   * latched now. Level lines: the ISR masked the pin at every one of its interrupts.
   */
  private peripheralLedger(rig: BoardRig, v: LineView): void {
    const { line, latched } = v;
    const p = this.info(v);
    const name = line.spec.name;
    if (line.spec.kind === 'level') {
      if (p.isrMasks !== p.cSeqno) rig.fail(`${name}: the ISR masked the level pin ${p.isrMasks} times for ${p.cSeqno} interrupts`);
      return;
    }
    if (p.isrMasks > p.cSeqno) rig.fail(`${name}: the ISR masked the pin ${p.isrMasks} times for ${p.cSeqno} interrupts`);
    const pin = line.spec.pin;
    const events = this.isrEvents(line, p);
    const coalesced = rig.peripheral.coalesced(pin);
    const discarded = rig.peripheral.discarded(pin);
    if (line.obs.edges !== events + coalesced + discarded + (latched ? 1 : 0)) {
      rig.fail(`${name}: edges ${line.obs.edges} != ISR events ${events} + merged in the status latch ${coalesced} + discarded ${discarded}` +
        ` + latched ${latched ? 1 : 0}: an edge went nowhere, or an event came from no edge`);
    }
  }

  /**
   * The C to the chip: the line's events were read by the chip, dropped by the ring, or are unread (in the ring,
   * or taken out by a close); with the ring empty the unread ones are exactly those unread at the closes: an
   * event of an open that ended never reaches a later open (nor does a drop of one count against it).
   */
  private ringLedger(rig: BoardRig, v: LineView): void {
    const { line } = v;
    const p = this.info(v);
    const o = this.obsOf(line);
    const left = this.unread(line, p);
    const terms = `events ${this.isrEvents(line, p)} - dropped ${o.closedDropped + p.cDropped} - read ${p.events - p.droppedEntries}`;
    if (left < 0) rig.fail(`${line.spec.name}: ring ledger: ${terms} = ${left}: the chip read more events than the ring held`);
    else if (this.counters(rig).queued === 0 && left !== o.unreadAtClose) {
      rig.fail(`${line.spec.name}: ring ledger with the ring empty: ${terms} = ${left}, but ${o.unreadAtClose} were unread when the line closed` +
        `${left < o.unreadAtClose ? ': an event (or a drop) of a closed open reached a later one' : ''}`);
    }
  }

  /**
   * The chip to the core: every interrupt the chip received entered the flow, was latched, or (an edge line's)
   * merged into the latch, counted in `merged`; and (edge lines) every latch set was replayed, is pending, or was
   * cleared by a command (noteCommand counts those).
   */
  private chipLedger(rig: BoardRig, v: LineView): void {
    const { line, d } = v;
    const p = this.info(v);
    const name = line.spec.name;
    const x = this.mergedIntoLatch(v);
    // A level line's events that find its latch set are not counted (the level enters again by itself at
    // unmask, so the chip merges them silently): there only the lower bound holds.
    const max = line.spec.kind === 'edge' ? p.merged : Infinity;
    if (x < 0 || x > max) {
      rig.fail(`${name}: chip ledger: events ${p.events} + replays ${p.replays} - flow entries ${d.count + d.deferred} (count ${d.count} + deferred ${d.deferred})` +
        ` - latched while masked ${p.pendingWhileMasked} = ${x}, not within 0..${max} (merged)`);
      return;
    }
    if (line.spec.kind !== 'edge') return;
    const cleared = this.latchesCleared(v);
    if (cleared !== this.obsOf(line).pendingCleared) {
      rig.fail(`${name}: latch ledger: latched ${p.pendingWhileMasked} + resends ${d.resends} - resends merged ${p.merged - x} - replays ${p.replays}` +
        ` - pending ${p.pending ? 1 : 0} = ${cleared} cleared, but commands cleared ${this.obsOf(line).pendingCleared}: a latch vanished (or was replayed twice)`);
    }
  }

  private pinCountersGrow(rig: BoardRig, v: LineView): void {
    const p = this.info(v);
    const was = this.lastPins.get(v.line.spec.name);
    this.lastPins.set(v.line.spec.name, p);
    if (was === undefined) return;
    for (const key of PIN_COUNTERS) {
      if (p[key] < was[key]) rig.fail(`${v.line.spec.name}: the chip's pinInfo ${key} went back from ${was[key]} to ${p[key]}`);
    }
  }

  // ---- the whole board ----

  checkBoard(rig: BoardRig, view: BoardView): void {
    const c = this.counters(rig);
    const stats = this.gpio.stats;
    const events = view.lines.reduce((n, v) => n + this.isrEvents(v.line, this.info(v)), 0);
    if (c.seqno !== events) rig.fail(`the module's seqno is ${c.seqno}, its lines made ${events} events`);
    // Every post the queue delivered reached the chip's read; the lost-post check's reads are the others.
    const delivered = c.posts - rig.chipMessagesQueued();
    const unheard = delivered - (stats.deliveries - stats.lostPostsFound);
    if (unheard < 0 || unheard > this.unheardPosts) {
      rig.fail(`the queue delivered ${delivered} of the module's posts, the chip read ${stats.deliveries - stats.lostPostsFound} of them` +
        ` (and ${stats.lostPostsFound} found by its check), ${this.unheardPosts} were on their way when the last line closed: ` +
        `${unheard < 0 ? 'a read no post brought' : 'a post reached no reader'}`);
    }
    // Events wait in the ring with no post on its way only after a post failed (the next interrupt, or the
    // lost-post check, reads them): a post the module thinks is on its way when none is strands them.
    if (c.queued === 0) this.failuresWhenEmpty = c.postFailures;
    else if (rig.chipMessagesQueued() === 0 && c.postFailures === this.failuresWhenEmpty) {
      rig.fail(`${c.queued} events wait in the ring with no post on its way, and no post failed since it was last empty`);
    }
    if (c.postFailures !== rig.queue.failed) rig.fail(`the queue refused ${rig.queue.failed} posts, the module counted ${c.postFailures}`);
    const was = this.lastStats;
    this.lastStats = stats;
    if (was === undefined) return;
    for (const key of CHIP_COUNTERS) {
      if (stats[key] < was[key]) rig.fail(`the chip's stats.${key} went back from ${was[key]} to ${stats[key]}`);
    }
  }

  /**
   * After a command that runs no simulator event: an open that ended (a close, or one reopened: its line_seqno
   * started again) leaves its counts and the events still in the ring; a latch the command cleared is counted.
   */
  noteCommand(rig: BoardRig, before: BoardView, after: BoardView): void {
    if (before.lines.some((v) => v.p.open) && after.lines.every((v) => !v.p.open)) this.unheardPosts += rig.chipMessagesQueued();
    before.lines.forEach((was, i) => {
      const now = after.lines[i];
      const line = was.line;
      const o = this.obsOf(line);
      const p = this.info(was);
      const q = this.info(now);
      if (p.open && (!q.open || q.cSeqno < p.cSeqno)) {
        const left = this.unread(line, p);
        o.closedSeqno += p.cSeqno;
        o.closedDropped += p.cDropped;
        if (left !== o.unreadAtClose) addStat(rig.stats, 'unreadAtClose', left - o.unreadAtClose);
        o.unreadAtClose = left;
      }
      if (line.spec.kind !== 'edge') return;
      const cleared = this.latchesCleared(now) - this.latchesCleared(was);
      if (cleared < 0) rig.fail(`${line.spec.name}: a command set a latch of the chip that no interrupt or resend set`);
      o.pendingCleared += cleared;
    });
  }

  // ---- progress, probes, the end ----

  /**
   * (a) A level line that is enabled, unmasked (core and chip), idle, open and asserted, its pin's interrupt
   * enabled in the hardware, with nothing in the ring, no post on its way and room in the queue for one: the
   * peripheral interrupts at once, the ISR posts, and an advance as long as the delivery latency enters it.
   */
  levelEntryDue(rig: BoardRig, { line, d, p, busy }: LineView, us: number): boolean {
    return line.spec.kind === 'level' && us >= rig.config.latencyUs && d.started && d.actions.length > 0 && !d.disabled &&
      !d.masked && !d.polled && d.threadsActive === 0 && busy.length === 0 && p.open && !p.masked && rig.levelAsserted(line) &&
      rig.peripheral.intEnabled(line.spec.pin) && this.counters(rig).queued === 0 && rig.chipMessagesQueued() === 0 &&
      rig.queue.length < rig.queue.capacity;
  }

  /**
   * (a) in the hardware: once the due events ran, an open level line whose level is asserted has its pin's
   * interrupt disabled: the peripheral interrupted (a level type's status follows the input), and the ISR masked
   * the pin and reported it. Its report then enters the line (the ledgers), and (a) above bounds when.
   */
  checkSettled(rig: BoardRig, view: BoardView): void {
    for (const { line, p } of view.lines) {
      if (line.spec.kind !== 'level' || !p.open || !rig.levelAsserted(line) || !rig.peripheral.intEnabled(line.spec.pin)) continue;
      rig.fail(`${line.spec.name}: the level is asserted and the pin's interrupt enabled, but no ISR took it`);
    }
  }

  /** (b) The replay came (a resend that found the latch is merged into it: the replay still comes). */
  replayProgressed(was: ChipPinInfo, now: ChipPinInfo): boolean {
    return now.replays !== was.replays;
  }

  ioBusy(rig: BoardRig): boolean {
    return rig.queue.length !== 0 || this.counters(rig).queued !== 0 || rig.peripheral.interruptAsserted;
  }

  /**
   * Events read, latched while masked, replays, merges the chip counted. The native chip never enters a line by
   * itself (a level still asserted interrupts again): no retriggers.
   */
  probeCounts(line: LineRig): ChipProbeCounts {
    const p = this.gpio.pinInfo(line.spec.pin);
    return { delivered: p.events, latched: p.pendingWhileMasked, replays: p.replays, retriggers: 0, merges: p.merged };
  }

  /** The unmask's interrupt goes through the ring and a post: the delivery latency. */
  levelReentryUs(config: RunConfig): number {
    return config.latencyUs + 30;
  }

  watchRecovery(): () => string {
    const was = this.gpio.stats;
    return () => {
      const now = this.gpio.stats;
      const c = this.gpio.nativeCounters();
      return `${now.postFailures - was.postFailures} posts failed, ${now.lostPostsFound - was.lostPostsFound} lost posts found, ` +
        `${now.deliveries - was.deliveries} deliveries meanwhile; the module: ${JSON.stringify(c)}`;
    };
  }

  /** The host twin saw every spinlock use as the board needs it (gpio_irq_host.c). */
  endChecks(rig: BoardRig): void {
    const errors = this.layers.native.lockErrors();
    if (errors !== 0) rig.fail(`the native module misused its spinlock ${errors} times`);
  }

  collectStats(rig: BoardRig, s: RunStats): void {
    for (const line of rig.all()) {
      const p = this.gpio.pinInfo(line.spec.pin);
      addStat(s, 'pendingWhileMasked', p.pendingWhileMasked);
      addStat(s, 'merged', p.merged);
      addStat(s, 'droppedEntries', p.droppedEntries);
      addStat(s, 'peripheralCoalesced', rig.peripheral.coalesced(line.spec.pin));
      addStat(s, 'discarded', rig.peripheral.discarded(line.spec.pin));
    }
    const c = this.gpio.nativeCounters();
    addStat(s, 'ringDrops', c.dropped);
    addStat(s, 'postFailures', c.postFailures);
    addStat(s, 'lostPostsFound', this.gpio.stats.lostPostsFound);
  }

  describe(): string {
    return `module ${JSON.stringify(this.gpio.nativeCounters())}, chip ${JSON.stringify(this.gpio.stats)}`;
  }

  flags(p: ChipPinInfo): string[] {
    return [p.pending ? 'chip-pending' : '', p.open ? 'open' : ''];
  }
}

/** The native chip kind, booted by `boot` (the test's bootNativeSimBoard). */
export function nativeBoard(boot: NativeBoot): BoardChipKind {
  return Object.freeze({
    name: 'native chip (Esp32NativeGpio over native/gpio-irq)',
    coverage: Object.freeze([
      'pendingWhileMasked', 'merged', 'peripheralCoalesced', 'discarded', 'ringDrops', 'droppedEntries', 'postFailures', 'lostPostsFound',
    ]),
    boot: (settings: ChipBootSettings): BoardChip => new NativeBoardChip(boot, settings),
  });
}
