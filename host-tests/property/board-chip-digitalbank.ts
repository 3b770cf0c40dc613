/*
 * The board property on the DigitalBank chip (board-chip.ts): the ESP32 HAL's GPIO irq_chip
 * (hal/esp32/gpio.ts `Esp32Gpio`) over Moddable's ECMA-419 DigitalBank (the fakes in hal/mock/ecma419/), over
 * ESP-IDF's GPIO driver, as bootSimBoard (hal/mock/boot.ts) boots it. The HAL groups the pins it opens into one
 * DigitalBank per (bank index, pull mode): the four lines make three banks (board-model.ts).
 *
 * What only this kind has, and its invariants (the numbers and letters of board.property.test.ts's header):
 * - level types are emulated on their edge (the bank's rises/falls): the peripheral is armed with the edge of
 *   the level's assertion, and the HAL reads the pin at unmask to enter a level still asserted again (a);
 * - masking is in software: a bit delivered while masked is latched by the HAL and replayed at unmask (b);
 * - the fake's `triggered` masks and the peripheral's latch merge edges (counted), a bank a failed post left
 *   silent drops them until the HAL's silent-bank check re-arms it (counted), a bank's close drops a latch;
 *   so the ledgers (5, 6, c) and the recovery bound (d) are the DigitalBank's.
 */
import type { Esp32PinInfo } from '../../hal/esp32/gpio';
import { bootSimBoard, type BootedBoard } from '../../hal/mock/boot';
import type { FakeDigitalIo } from '../../hal/mock/ecma419/digital';
import { GPIO_INTR_ANYEDGE, GPIO_INTR_DISABLE, GPIO_INTR_NEGEDGE, GPIO_INTR_POSEDGE } from '../../hal/mock/gpio-peripheral';
import { addStat, type BoardChip, type BoardChipKind, type ChipBootSettings, type ChipPinInfo, type ChipProbeCounts } from './board-chip';
import type { LineName } from './board-model';
import type { BoardRig, BoardView, LineRig, LineView, RunStats } from './board-rig';

/** The HAL's silent-bank check period: short, so a silent bank is found and re-armed within a sequence. */
export const SILENT_CHECK_US = 2_000;
/**
 * The longest period the HAL's check backs off to when the pins are quiet (silentIdleCheckUs): 8 periods, so a
 * run's quiet spells reach it and the end's recovery check (d) measures the bound at its worst.
 */
export const SILENT_IDLE_CHECK_US = 8 * SILENT_CHECK_US;
/**
 * A fresh event must reach its flow within this (plus the delivery latency): the HAL's documented bound for
 * an edge into a silent bank, the longest check period (the sighting) plus the shortest (the re-arm).
 */
export const DIGITAL_BANK_RECOVERY_US = SILENT_IDLE_CHECK_US + SILENT_CHECK_US;

/** What the rig sees of one pin on this kind, beside the HAL's and the fake's counts. */
interface BankObs {
  /** The peripheral's merge count (`coalesced(pin)`) when the current status latch was set, and at the last edge. */
  latchMerges: number;
  seenMerges: number;
  /** Latched edges a bank close dropped during a command (seen directly: no ISR runs inside a command). */
  drops: number;
}

/** INT_TYPE the HAL's bank arms for a trigger type (level types are emulated on their edge). */
function armedIntType(type: number): number {
  if (type === 3) return GPIO_INTR_ANYEDGE;
  return type === 1 || type === 4 ? GPIO_INTR_POSEDGE : GPIO_INTR_NEGEDGE;
}

class DigitalBankBoardChip implements BoardChip {
  readonly layers: BootedBoard;
  readonly fake: FakeDigitalIo;
  private readonly obs = new Map<LineName, BankObs>();
  readonly levelReentry = { count: 1, deferred: 1, delivered: 1, retriggers: 1, primaries: 1 };
  readonly recoveryUs = DIGITAL_BANK_RECOVERY_US;
  // A fall on a rising pin is news to a check only, never to a delivery, and the checks may be backed off to
  // their longest period: an edge line stays off its active level that long before the fresh edge.
  readonly quietBeforeEdgeUs = SILENT_IDLE_CHECK_US + SILENT_CHECK_US;

  constructor({ config, stallEvents, core, log }: ChipBootSettings) {
    this.layers = bootSimBoard({
      seed: config.seed, queueLength: config.queueLength, latencyUs: config.latencyUs, stallEvents, core, log,
      gpio: { silentCheckUs: SILENT_CHECK_US, silentIdleCheckUs: SILENT_IDLE_CHECK_US },
    });
    this.fake = this.layers.provider.fakes.digital;
  }

  private get gpio() {
    return this.layers.gpio;
  }

  /** This kind's own view of its pins: every LineView's `p` was made by pinInfo below. */
  private info(v: { readonly p: ChipPinInfo }): Esp32PinInfo {
    return v.p as Esp32PinInfo;
  }

  private obsOf(line: LineRig): BankObs {
    let o = this.obs.get(line.spec.name);
    if (o === undefined) {
      o = { latchMerges: 0, seenMerges: 0, drops: 0 };
      this.obs.set(line.spec.name, o);
    }
    return o;
  }

  pinInfo(line: LineRig): ChipPinInfo {
    return this.gpio.pinInfo(line.spec.pin);
  }

  /** An edge either set the status latch or merged into it (the peripheral counts the merge): note a new latch. */
  edgeSeen(line: LineRig): void {
    const o = this.obsOf(line);
    const merges = this.layers.board.gpio.coalesced(line.spec.pin);
    if (merges === o.seenMerges) o.latchMerges = merges;
    o.seenMerges = merges;
  }

  /** Merges on the current latch the fake has not yet taken into its count (it does at the ISR or the bank's close). */
  private unabsorbed(rig: BoardRig, line: LineRig, latched: boolean): number {
    return latched ? rig.peripheral.coalesced(line.spec.pin) - this.obsOf(line).latchMerges : 0;
  }

  // ---- per line ----

  checkLine(rig: BoardRig, v: LineView): void {
    this.peripheralArming(rig, v);
    this.halLedger(rig, v);
    this.fakeLedger(rig, v);
  }

  /** 5: an open pin is armed in the peripheral (interrupt enabled, the type's edge: masking is lazy); a closed one is reset. */
  private peripheralArming(rig: BoardRig, { line, p }: LineView): void {
    const pin = line.spec.pin;
    const name = line.spec.name;
    const type = line.model.type;
    const intType = rig.peripheral.intType(pin);
    if (p.open) {
      if (!rig.peripheral.intEnabled(pin) || intType !== armedIntType(type)) {
        rig.fail(`${name}: open pin armed with INT_TYPE ${intType} (enabled ${rig.peripheral.intEnabled(pin)}), type ${type} needs ${armedIntType(type)}`);
      }
    } else if (intType !== GPIO_INTR_DISABLE) {
      rig.fail(`${name}: closed pin still armed with INT_TYPE ${intType}`);
    }
  }

  /**
   * 6: the HAL to the core: the bits delivered for the pin, its replays and level retriggers, and the missed
   * edges it raised, each entered the line's flow (count + deferred), were latched while masked, or were
   * ignored. Missed edges raised are not counted on their own (several found before their raise run are
   * raised as one), so on an edge line what is left is between 0 and missedEdges; a level line's missed edges
   * go through levelRetriggers, so there it is exactly 0.
   */
  private halLedger(rig: BoardRig, v: LineView): void {
    const { line, d } = v;
    const p = this.info(v);
    const entries = d.count + d.deferred;
    const raisedMissed = entries + p.ignored + p.pendingWhileMasked - p.edges - p.replays - p.levelRetriggers;
    const max = line.spec.kind === 'edge' ? p.missedEdges : 0;
    if (raisedMissed < 0 || raisedMissed > max) {
      rig.fail(`${line.spec.name}: HAL ledger: flow entries ${entries} (count ${d.count} + deferred ${d.deferred}) + ignored ${p.ignored} + latched while masked ${p.pendingWhileMasked}` +
        ` - delivered ${p.edges} - replays ${p.replays} - level retriggers ${p.levelRetriggers} = ${raisedMissed}, not within 0..${max} (missed edges raised)`);
    }
  }

  /**
   * (c) The peripheral and the fake to the HAL, per pin: the physical edges of the armed type minus the bits
   * delivered to onReadable, the merges the fake counted (its `triggered` mask and the peripheral's latch), the
   * merges on the current latch it has not taken yet, the latch itself and the latches a close dropped in a
   * command leave what the fake did not deliver: edges into a silent bank, bits a close dropped, bits waiting for
   * their delivery, latches dropped by a re-arm. Never negative: nothing is delivered that did not happen.
   */
  private undelivered(rig: BoardRig, line: LineRig, p: Esp32PinInfo, latched: boolean): number {
    const pin = line.spec.pin;
    return line.obs.edges - p.edges - this.fake.coalesced(pin) - this.unabsorbed(rig, line, latched) - (latched ? 1 : 0) - this.obsOf(line).drops;
  }

  private fakeLedger(rig: BoardRig, v: LineView): void {
    const { line, latched } = v;
    const p = this.info(v);
    const left = this.undelivered(rig, line, p, latched);
    if (left < 0) {
      rig.fail(`${line.spec.name}: edges ${line.obs.edges} < delivered ${p.edges} + merged ${this.fake.coalesced(line.spec.pin)} + on the latch ${this.unabsorbed(rig, line, latched)}` +
        ` + latched ${latched ? 1 : 0} + dropped ${this.obsOf(line).drops}: more reached the HAL than happened`);
    }
  }

  // ---- the whole board ----

  checkBoard(rig: BoardRig, view: BoardView): void {
    this.boardCounts(rig, view);
    this.fakeLedgerExact(rig, view);
  }

  /**
   * (c) Exact where nothing was lost: with no delivery queued and no silent bank, and no bank ever closed with a
   * delivery queued (cancelled), closed silent (leaked) or re-armed, every physical edge of the armed type was
   * delivered, merged (and counted), or is latched: undelivered is 0 on every pin. Otherwise the undelivered
   * edges cover at least those that fell into silent banks.
   */
  private fakeLedgerExact(rig: BoardRig, view: BoardView): void {
    const s = this.fake.stats;
    let total = 0;
    const each: string[] = [];
    for (const v of view.lines) {
      const left = this.undelivered(rig, v.line, this.info(v), v.latched);
      total += left;
      if (left !== 0) each.push(`${v.line.spec.name} ${left}`);
    }
    if (total < s.silenced) rig.fail(`undelivered edges ${total} (${each.join(', ')}) fewer than the ${s.silenced} that fell into silent banks`);
    const quiet = rig.chipMessagesQueued() === 0 && this.fake.silentBanks() === 0;
    const lossless = s.cancelled === 0 && s.leakedRecords === 0 && this.gpio.stats.rearms === 0;
    if (!quiet || !lossless) return;
    if (s.edges !== 0) addStat(rig.stats, 'exactLedgerChecks', 1);
    if (total !== 0) {
      rig.fail(`edges unaccounted for with nothing lost (no silent bank, no close with a delivery queued): ${each.join(', ')}`);
    }
  }

  /** Every onReadable reached the HAL, every delivered bit is one of our pins', every refused post was the fake's. */
  private boardCounts(rig: BoardRig, view: BoardView): void {
    const hal = this.gpio.stats;
    const fake = this.fake.stats;
    if (hal.deliveries !== fake.deliveries) rig.fail(`the fake made ${fake.deliveries} onReadable calls, the HAL saw ${hal.deliveries}`);
    const pinBits = view.lines.reduce((n, v) => n + this.info(v).edges, 0);
    if (pinBits !== hal.edges) rig.fail(`the HAL counted ${hal.edges} delivered bits, its pins ${pinBits}`);
    if (fake.postFailures !== rig.queue.failed) rig.fail(`the queue refused ${rig.queue.failed} posts, the fake counted ${fake.postFailures}`);
  }

  /** After a command that runs no simulator event: a latch that vanished was dropped by a bank's close. */
  noteCommand(rig: BoardRig, before: BoardView, after: BoardView): void {
    before.lines.forEach((was, i) => {
      if (was.latched && !after.lines[i].latched) {
        this.obsOf(was.line).drops++;
        addStat(rig.stats, 'drops', 1);
      }
    });
  }

  // ---- progress, probes, the end ----

  /**
   * (a) A level line that is enabled, unmasked (core and HAL), idle, open and asserted, with nothing in flight
   * toward it (no status latched, no delivery queued, no silent bank), has a retrigger queued by the HAL's
   * unmask, due now: the next advance must enter it.
   */
  levelEntryDue(rig: BoardRig, { line, d, p, busy }: LineView): boolean {
    return line.spec.kind === 'level' && d.started && d.actions.length > 0 && !d.disabled && !d.masked && !d.polled &&
      d.threadsActive === 0 && busy.length === 0 && p.open && !p.masked && rig.levelAsserted(line) &&
      !rig.peripheral.interruptAsserted && rig.chipMessagesQueued() === 0 && this.fake.silentBanks() === 0;
  }

  /** Nothing the DigitalBank chip owes once the due events ran beyond (a) and (b). */
  checkSettled(): void {}

  /** (b) The replay came, or the pending edge was merged into an entry (counted by the HAL). */
  replayProgressed(was: ChipPinInfo, now: ChipPinInfo): boolean {
    return now.replays !== was.replays || (now as Esp32PinInfo).coalesced !== (was as Esp32PinInfo).coalesced;
  }

  ioBusy(rig: BoardRig): boolean {
    return rig.queue.length !== 0 || this.fake.silentBanks() !== 0 || rig.peripheral.interruptAsserted;
  }

  /** Bits delivered, latched while masked, replays, level retriggers (the HAL's read at unmask), merges the HAL counted. */
  probeCounts(line: LineRig): ChipProbeCounts {
    const p = this.gpio.pinInfo(line.spec.pin);
    return { delivered: p.edges, latched: p.pendingWhileMasked, replays: p.replays, retriggers: p.levelRetriggers, merges: p.coalesced };
  }

  /** The HAL's unmask queues the retrigger at once. */
  levelReentryUs(): number {
    return 30;
  }

  watchRecovery(): () => string {
    const checks = this.gpio.stats.silentChecks;
    const silenced = this.fake.stats.silenced;
    return () => {
      const ran = this.gpio.stats.silentChecks - checks;
      const timer = ran === 0 ? 'the HAL ran no silent-bank check meanwhile' : `the HAL ran ${ran} silent-bank checks`;
      return `${this.fake.stats.silenced - silenced} edges fell into silent banks, ${this.fake.silentBanks()} banks silent, ${timer}`;
    };
  }

  endChecks(): void {}

  collectStats(rig: BoardRig, s: RunStats): void {
    for (const line of rig.all()) {
      const p = this.gpio.pinInfo(line.spec.pin);
      addStat(s, 'levelRetriggers', p.levelRetriggers);
      addStat(s, 'halCoalesced', p.coalesced);
      addStat(s, 'missedEdges', p.missedEdges);
    }
    addStat(s, 'fakeCoalesced', this.fake.stats.coalesced);
    addStat(s, 'postFailures', this.fake.stats.postFailures);
    addStat(s, 'rearms', this.gpio.stats.rearms);
  }

  describe(): string {
    return `fake ${JSON.stringify(this.fake.stats)}, silent banks ${this.fake.silentBanks()}`;
  }

  flags(p: ChipPinInfo): string[] {
    return [p.pending ? 'hal-pending' : '', p.open ? 'open' : ''];
  }
}

export const digitalBankBoard: BoardChipKind = Object.freeze({
  name: 'DigitalBank chip (Esp32Gpio over ECMA-419 DigitalBank)',
  coverage: Object.freeze([
    'fakeCoalesced', 'drops', 'levelRetriggers', 'postFailures', 'rearms', 'missedEdges', 'exactLedgerChecks',
  ]),
  boot: (settings: ChipBootSettings): BoardChip => new DigitalBankBoardChip(settings),
});
