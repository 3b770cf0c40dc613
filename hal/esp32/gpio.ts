/*
 * The ESP32 GPIO pins as an irq_chip, on the board, over Moddable's ECMA-419 DigitalBank: the real-board
 * counterpart of hal/mock/gpio.ts.
 *
 * What the hardware and Moddable do (modules/io/digital/esp32/digitalbank.c): the GPIO ISR of a pin ORs its
 * bit into its DigitalBank's `triggered` mask and, if the mask was empty, posts one message to the
 * JavaScript thread; the message handler takes the mask, clears it and calls onReadable(mask). Two edges of
 * a pin before the message runs are one bit. Only edges can be asked for (rises/falls).
 *
 * What this chip does in software:
 * - onReadable is the hardirq entry. It latches the mask (our "status register") and enters the parent
 *   line, whose chained handler demultiplexes the mask into per-pin irqs through a linear domain.
 * - Masking is lazy: the DigitalBank stays open; a masked pin that fires is marked pending and counted, and
 *   unmask replays it in a deferred job (irqRetrigger does the same, so a pending edge is re-raised once).
 * - Level types are emulated: level-low opens the pin with falls, level-high with rises, the flow is
 *   handleLevelIrq, and unmask reads the pin: while the level is still asserted the irq is entered again in
 *   a deferred job (counted in levelRetriggers).
 *
 * One DigitalBank per (bank index, pin mode), shared by every started pin of that bank with that pull mode,
 * each pin with its own rises/falls bits (digitalbank.c arms each pin's interrupt type from its own bits,
 * so any mix of edges fits one bank). Why shared rather than one bank per pin: the ISR posts one message per
 * bank whose `triggered` was 0, and the XS task's queue holds MODDEF_TASK_QUEUELENGTH messages (10 by
 * default) for everything that posts to the JavaScript thread; N pins of one bank firing together cost one
 * message instead of N, so a burst is far less likely to fill the queue, and a full queue is what silences a
 * bank (below). The price: a DigitalBank's pins and edges are fixed at construction, so starting, stopping,
 * retyping (other rises/falls) or re-moding a pin closes and reopens its whole group; the other pins of the
 * group are closed for that moment (gpio_reset_pin drops their pulls briefly) and their queued delivery is
 * dropped by the close. Both are repaired after every reopen. An edge pin: the group's levels are compared
 * with the levels last accounted for (`seen`), and a change in a direction the pin reports is raised once as
 * a missed edge (`missedEdges`; a both-edge pin's raise accounts its level as a delivery would, so its next
 * delivery is not counted as a merge). Only an even number of edges during the reopen goes unseen. A level
 * pin: by its own level, not by `seen` (its service is a fall, or a rise, its bank does not report, so `seen`
 * may still hold the old assertion and a new one look like no change): one that is asserted, started and
 * unmasked with no raise queued is entered again (`missedEdges`, then `levelRetriggers`). That state means its
 * assertion went unseen: an unmasked level line is entered only by a delivery, whose flow masks it, or by the
 * HAL's raise, which unmask queues while the level holds. Falling and level-low (rising and level-high) have
 * the same bits, so a switch between them reopens nothing.
 *
 * The silent pin: digitalbank.c's ISR posts only when `triggered` was 0 and ignores the post's result; when
 * the queue is full the post is lost, `triggered` stays set and the bank never posts again. Defence: every
 * delivery reads its own bank's levels (the accounted levels) and nothing else; each check, on a slow timer
 * (`silentCheckUs`), reads each open bank once and looks for a level that changed in a direction the bank
 * reports with no delivery since, or a level pin asserted with nothing to enter it (as above). One such
 * sighting only makes the bank a suspect (its message may still be queued); the next check, a period later,
 * with still no delivery proves it silent: the bank is closed and reopened (a new native record, `triggered`
 * 0: `rearms`) and the reopen raises what it missed, as above.
 *
 * The check never stops while a bank is open. A silent bank says nothing, by definition, and a post can fail
 * whenever the queue is full (other posters fill it too), so no quiet spell proves the banks alive: a timer
 * that stopped when idle (as it did, after SILENT_IDLE_CHECKS quiet periods) left a bank silenced before or
 * after the stop dead for good, every later edge swallowed. Instead it backs off: a period with a delivery, an
 * open or a suspect keeps it at silentCheckUs; after SILENT_IDLE_CHECKS quiet periods in a row each quiet
 * check doubles the period, up to `silentIdleCheckUs` (default 1 s: 100, 200, 400, 800 ms, then 1 s). An idle
 * system pays one timer wake and one read per open bank (at most 8) per silentIdleCheckUs, and nothing per
 * interrupt: while the check is backed off the deliveries leave the fast path (deliveryHook), and the first
 * clears the timer and arms it at silentCheckUs, which puts them back on it. The bound: an edge into a silent bank (or the edge whose lost post silenced it)
 * that leaves its pin at a level other than the one last accounted for when the next check reads it is
 * re-armed and raised within silentIdleCheckUs + silentCheckUs (1.1 s by default; 2 × silentCheckUs while
 * deliveries come), and so is a level line's assertion, which holds until it is served. What no read can see:
 * an even number of edges of a pin between two reads of its silent bank (a pulse shorter than the period) is
 * lost, and the bank stays silent until a check sees a change. Re-arming every bank after a quiet spell
 * instead was rejected: it needs the same timer (a post can fail right after a re-arm), and a re-arm is far
 * dearer than a read: a close and a new native record (a malloc, and a host object to collect),
 * gpio_reset_pin on every pin of the bank (pulls dropped for a moment, latched edges lost and found again
 * only by their levels). So banks are read, and re-armed only when proven silent. The timer is a
 * background one (Platform.setBackgroundTimer where the platform has it: a host simulator's runUntilIdle does
 * not wait for it; on the board it is Moddable's Timer.set, as setTimer). With no bank open it stops; the next
 * open starts it. Without a timer (silentCheckUs 0, or a platform without setTimer) each delivery checks the
 * other open banks instead, when there are any: no bound then, a silent bank is found at another bank's
 * delivery.
 *
 * Nothing touches native IO at module load (Moddable's preload runs and freezes modules at build time):
 * every bank is opened by an instance created at start-up.
 */
import {
  IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH, IRQ_TYPE_LEVEL_LOW,
  IRQ_TYPE_LEVEL_MASK, IRQ_TYPE_NONE, IRQ_LINE_EVENT_FALLING_EDGE, IRQ_LINE_EVENT_LEVEL_HIGH, IRQ_LINE_EVENT_LEVEL_LOW,
  IRQ_LINE_EVENT_RISING_EDGE, IrqError, chainedIrqEnter, chainedIrqExit, handleEdgeIrq, handleLevelIrq,
  irqSetHandlerLocked, triggerName, type IrqChip, type IrqCore, type IrqData, type IrqDesc, type IrqDomain,
  type IrqLineEventBuffer,
} from '../../firmware/irq';
import { replaceDebounce, type Esp32Debounce } from './debounce';
import type { DigitalBankInstance, Esp32Io } from './io-types';
import { checkGpio, checkPinModeName, checkPull, socPins, warnPinOnce, type Esp32PinMode, type Esp32Soc, type SocPins } from './pins';
import { Esp32Wake, type Esp32WakeSources } from './wake';

export type { Esp32PinMode } from './pins';

/** The edges a trigger type opens its DigitalBank with: [rises, falls]. Level types are emulated on an edge. */
const EDGES_OF_TYPE: Readonly<Record<number, readonly [boolean, boolean]>> = Object.freeze({
  [IRQ_TYPE_EDGE_RISING]: Object.freeze([true, false] as const),
  [IRQ_TYPE_EDGE_FALLING]: Object.freeze([false, true] as const),
  [IRQ_TYPE_EDGE_BOTH]: Object.freeze([true, true] as const),
  [IRQ_TYPE_LEVEL_HIGH]: Object.freeze([true, false] as const),
  [IRQ_TYPE_LEVEL_LOW]: Object.freeze([false, true] as const),
});

/** The line event of each trigger type's interrupt (a both-edge pin's is told by its level instead). */
const EVENT_OF_TYPE: Readonly<Record<number, number>> = Object.freeze({
  [IRQ_TYPE_EDGE_RISING]: IRQ_LINE_EVENT_RISING_EDGE,
  [IRQ_TYPE_EDGE_FALLING]: IRQ_LINE_EVENT_FALLING_EDGE,
  [IRQ_TYPE_LEVEL_HIGH]: IRQ_LINE_EVENT_LEVEL_HIGH,
  [IRQ_TYPE_LEVEL_LOW]: IRQ_LINE_EVENT_LEVEL_LOW,
});

export interface Esp32GpioOptions {
  /**
   * The chip the firmware was built for, from the build (Moddable's mc/config, set per subplatform by the
   * manifest): its pin table decides which GPIOs exist, which have pulls, which are refused (SPI flash) or
   * warned about (PSRAM, UART0, USB-Serial-JTAG), and which can wake it (hal/esp32/pins.ts). Never guessed.
   */
  soc: Esp32Soc;
  /** Name of the chip, the domain and the parent line's chip ("esp32-gpio"). */
  name?: string;
  /**
   * irqSetWake sources must also wake the chip from deep sleep (ext1: RTC GPIOs, one mode): true by
   * default. With false any GPIO with a level can wake it from light sleep.
   */
  deepSleepWake?: boolean;
  /**
   * When the pending edge of a GPIO happened, where the platform can tell (the simulated board can;
   * Moddable's digitalbank reports no time). Given, the core's latency statistics measure from the edge.
   */
  edgeTime?: (gpio: number) => number | undefined;
  /**
   * Period of the silent-bank check timer, µs (default 100,000), while anything happens (it backs off to
   * silentIdleCheckUs when quiet): the time between the sighting that makes a bank a suspect and the check
   * that re-arms it. 0: no timer; each delivery checks the other open banks instead (the sighting and the
   * re-arm are then two deliveries of other banks).
   */
  silentCheckUs?: number;
  /**
   * Longest period of the check timer, µs (default 1,000,000, and never less than silentCheckUs): after
   * SILENT_IDLE_CHECKS quiet periods the period doubles at each quiet check up to this one, so an idle system
   * pays one wake and one read per open bank per silentIdleCheckUs. It bounds the recovery of a silent bank:
   * an edge into one is re-armed and raised within silentIdleCheckUs + silentCheckUs (header comment).
   */
  silentIdleCheckUs?: number;
}

/** Counters of everything the pins did; the HAL's `stats` and each pin's `pinInfo` carry the same names. */
export interface Esp32GpioCounters {
  /** Pin bits delivered by onReadable (one per pin per delivery). */
  edges: number;
  /**
   * Edges known to have been merged with another: a both-edge pin whose level at delivery is the level of
   * its previous delivery (an even number of edges went by as one bit), an edge arriving while a pending
   * one is latched, a pending edge replayed together with a retrigger.
   */
  coalesced: number;
  /** Bits delivered for a pin with no open bank or no mapping (dropped). */
  ignored: number;
  /** Bits delivered while the pin was masked: latched as pending. */
  pendingWhileMasked: number;
  /** Pending edges re-raised (unmask, irqRetrigger). */
  replays: number;
  /** Level lines entered again because unmask found the level still asserted. */
  levelRetriggers: number;
  /** DigitalBanks closed and opened again for a type change. */
  reopens: number;
  /**
   * Edges no delivery reported, found by the levels: of a bank that went silent (its post was lost to a full
   * queue), or dropped with a delivery still queued when the bank was reopened. Each is raised once. On a
   * level pin: an assertion found by a reopen with nothing to enter it (it is entered again: levelRetriggers).
   */
  missedEdges: number;
  /** Silent banks closed and reopened (per pin: re-arms of the pin's bank while the pin was in it). */
  rearms: number;
}

export interface Esp32GpioStats extends Esp32GpioCounters {
  /** onReadable calls (hardirq entries). */
  deliveries: number;
  /** Silent-bank checks run (on the timer; on deliveries only without one), and the bank reads they made. */
  silentChecks: number;
  silentCheckReads: number;
}

/** What pinInfo(pin) reports. */
export interface Esp32PinInfo extends Esp32GpioCounters {
  readonly pin: number;
  readonly irq: number;
  readonly mode: Esp32PinMode;
  /** The trigger type the chip was set to (IRQ_TYPE_*). */
  readonly type: number;
  /** A DigitalBank is open for the pin. */
  readonly open: boolean;
  readonly masked: boolean;
  readonly pending: boolean;
  readonly wake: boolean;
  /** The debounce period (irqSetDebounce), µs, 0 for none; the raw edges it swallowed. */
  readonly debounceUs: number;
  readonly bounces: number;
}

interface Pin extends Esp32GpioCounters {
  readonly pin: number;
  /** 0 for GPIO 0-31, 1 for 32 and up. */
  readonly bankIndex: number;
  /** The pin's bit in its bank's masks. */
  readonly bit: number;
  irq: number;
  mode: Esp32PinMode;
  /** Set with setPinType, which keeps `assertedRead` in step. */
  type: number;
  /**
   * For a level type, what `bank.read() & bit` gives while the level is asserted (0 for level-low, `bit` for
   * level-high); -1 for any other type (no masked read gives -1). The unmask's one comparison.
   */
  assertedRead: number;
  /** The shared bank the pin is in while open, and its group (set by open, cleared by close). */
  bank: DigitalBankInstance | undefined;
  group: BankGroup | undefined;
  /** The rises/falls the open bank was created with. */
  rises: boolean;
  falls: boolean;
  started: boolean;
  masked: boolean;
  /** The pin's caution (PSRAM, UART0, USB) was logged. */
  warned: boolean;
  /** An edge arrived while masked (the software status latch). */
  pending: boolean;
  /** A deferred re-raise is queued. */
  raiseQueued: boolean;
  /** Level at the last delivery, for both-edge pins. */
  lastLevel: number;
  /** A driver reads the line's events, or the line is debounced: its deliveries leave the fast path. */
  special: boolean;
  lineEvents: IrqLineEventBuffer | undefined;
  debounce: Esp32Debounce | undefined;
  /** The line's events made (with edges known merged: the gaps), counted only while `special`. */
  lineSeqno: number;
}

function newCounters(): Esp32GpioCounters {
  return {
    edges: 0, coalesced: 0, ignored: 0, pendingWhileMasked: 0, replays: 0, levelRetriggers: 0, reopens: 0, missedEdges: 0,
    rearms: 0,
  };
}

/** Modes in group order: a group's index is bankIndex * 4 + the mode's index. */
const MODE_INDEX: Readonly<Record<Esp32PinMode, number>> = Object.freeze({ input: 0, pullup: 1, pulldown: 2, pullupdown: 3 });

/**
 * Quiet timer periods (no delivery, open or suspect) at silentCheckUs after which the silent-bank check backs
 * off: each further quiet check doubles the period, up to silentIdleCheckUs.
 */
const SILENT_IDLE_CHECKS = 10;

/** Default longest check period (silentIdleCheckUs), µs. */
const SILENT_IDLE_CHECK_US = 1_000_000;

/** One shared DigitalBank: the started pins of one bank index with one pull mode. */
interface BankGroup {
  readonly bankIndex: number;
  readonly mode: Esp32PinMode;
  bank: DigitalBankInstance | undefined;
  /** Member pins, rising and falling bits: what the bank is (re)opened with. */
  pins: number;
  rises: number;
  falls: number;
  /** Member pins of a level type (a level-high pin has its rising bit, a level-low one its falling bit). */
  level: number;
  /** The levels last accounted for: read at open, at each delivery, and by checks (unreported changes). */
  seen: number;
  /**
   * Bits whose level changed in a reported direction with no delivery, seen by the last check (0: not a
   * suspect). The next check, with still no delivery, re-arms the bank.
   */
  suspect: number;
  /** Missed edges waiting for their deferred raise. */
  missed: number;
  missedQueued: boolean;
  /**
   * The delivery's fast path (refreshSolo): while the group has one pin, open in this bank, started, mapped,
   * not both-edge, and a delivery has nothing else to do (no check to bring forward or run), `solo` is that
   * pin's bit and `soloPin` the pin; else NaN (equal to no mask) and undefined.
   */
  solo: number;
  soloPin: Pin | undefined;
  /**
   * Fast-path deliveries, a running total: each is one delivery and one edge of soloPin, added to the counters
   * lazily (countFast: `fastCounted` is the part added), so the fast path bumps one number instead of three.
   * It is also the group's sign of life for the silent check (`fastChecked`: the total at the last check).
   */
  fast: number;
  fastCounted: number;
  fastChecked: number;
  /** The bank's onReadable: this group's delivery (deliverer), made with the group. */
  onReadable: (triggered: number) => void;
}

export class Esp32Gpio {
  readonly chip: IrqChip;
  /** The chip of the parent line: it has nothing to mask (onReadable cannot be held off). */
  readonly parentChip: IrqChip;
  readonly domain: IrqDomain<Esp32Gpio>;
  /** The core's irq for onReadable deliveries: the chained parent of every pin line. */
  readonly parentIrq: number;
  readonly name: string;
  /** The chip's pin table (from options.soc). */
  readonly soc: SocPins;
  private readonly core: IrqCore;
  private readonly edgeTime: ((gpio: number) => number | undefined) | undefined;
  private readonly io: Esp32Io;
  private readonly wake: Esp32Wake;
  private readonly pins: (Pin | undefined)[] = [];
  /** Bits delivered and not yet demultiplexed, per bank: the status register the chained handler reads. */
  private readonly status: number[] = [];
  /** Pins whose re-raise is queued, per bank, for the one deferred job that raises them (see queueRaise). */
  private readonly raiseMask: number[] = [];
  /** That job: one Moddable timer re-armed per use where the platform offers it, so a replay allocates nothing. */
  private readonly raiseJob: { schedule(): void };
  private readonly counters: Esp32GpioStats = { ...newCounters(), deliveries: 0, silentChecks: 0, silentCheckReads: 0 };
  /** Line events made, across the chip (their seqno). */
  private seqno = 0;
  /** The shared banks, by bankIndex * 4 + mode index; created with the instance. */
  private readonly groups: (BankGroup | undefined)[] = [];
  private readonly silentCheckUs: number;
  private readonly silentIdleCheckUs: number;
  /** Groups with an open bank (the cross-bank check has something to do on a delivery only with two). */
  private openGroups = 0;
  /**
   * No check timer (silentCheckUs 0, or a platform without setTimer): each delivery checks the other open
   * banks instead, as the only way a silent bank is noticed between opens.
   */
  private readonly checkOnDelivery: boolean;
  /** The platform has setBackgroundTimer (the check timer's kind: see the header). */
  private readonly backgroundTimer: boolean;
  /** The armed check timer's handle (undefined: not armed), and the period it was armed with. */
  private checkTimer: unknown = undefined;
  private checkPeriodUs: number;
  /**
   * The check timer is enabled and either not armed or armed for a backed-off period: the next delivery (or
   * open) brings the check forward to silentCheckUs. Set, it turns the fast path off (deliveryHook), so the
   * fast path never tests it.
   */
  private checkSlow: boolean;
  /**
   * A delivery has more to do than enter its pins: bring a backed-off check forward (checkSlow), or check the
   * other banks (checkOnDelivery, with two open). While it has, no group takes the fast path (refreshSolo),
   * so the fast path tests nothing for it (syncFastPath keeps it current).
   */
  private deliveryHook = false;
  /** Quiet timer periods in a row (no delivery, open or suspect), and the delivery count at the last tick. */
  private checkQuiet = 0;
  private checkDeliveries = 0;
  /** The silent check's timer callback, made once (not a closure per tick). */
  private readonly checkTimerFired = (): void => this.onCheckTimer();
  private readonly demux: (desc: IrqDesc) => void;
  /** The parent line's descriptor: a delivery counts on it without running its flow (deliver). */
  private readonly parentDesc: IrqDesc;
  /** Our pin modes as the injected DigitalBank's mode constants. */
  private readonly modeValues: Readonly<Record<Esp32PinMode, unknown>>;

  constructor(core: IrqCore, io: Esp32Io, options: Esp32GpioOptions) {
    if (io === undefined || typeof io.DigitalBank !== 'function') {
      throw new TypeError('Esp32Gpio needs { DigitalBank } (import DigitalBank from "embedded:io/digitalbank")');
    }
    if (options === undefined || options.soc === undefined) {
      throw new TypeError("Esp32Gpio needs options.soc, the chip the firmware was built for ('esp32', 'esp32s3', 'esp32c3', 'esp32c6': Moddable's mc/config)");
    }
    this.soc = socPins(options.soc);
    this.core = core;
    this.io = io;
    const DigitalBank = io.DigitalBank;
    this.modeValues = Object.freeze({
      input: DigitalBank.Input, pullup: DigitalBank.InputPullUp, pulldown: DigitalBank.InputPullDown,
      pullupdown: DigitalBank.InputPullUpDown,
    });
    this.name = options.name ?? 'esp32-gpio';
    this.edgeTime = options.edgeTime;
    this.silentCheckUs = options.silentCheckUs ?? 100_000;
    if (!(this.silentCheckUs >= 0)) throw new RangeError(`Esp32Gpio: silentCheckUs ${String(options.silentCheckUs)} must be >= 0`);
    this.silentIdleCheckUs = options.silentIdleCheckUs ?? Math.max(SILENT_IDLE_CHECK_US, this.silentCheckUs);
    if (!(this.silentIdleCheckUs >= this.silentCheckUs)) {
      throw new RangeError(`Esp32Gpio: silentIdleCheckUs ${String(options.silentIdleCheckUs)} must be >= silentCheckUs (${this.silentCheckUs})`);
    }
    this.checkOnDelivery = this.silentCheckUs === 0 || core.platform.setTimer === undefined;
    this.backgroundTimer = core.platform.setBackgroundTimer !== undefined;
    this.checkSlow = !this.checkOnDelivery;
    this.deliveryHook = this.checkSlow;
    this.checkPeriodUs = this.silentCheckUs;
    this.wake = new Esp32Wake(this.soc, options.deepSleepWake !== false);
    for (let b = 0; b < this.soc.banks; b++) {
      this.status.push(0);
      this.raiseMask.push(0);
    }
    const raiseQueued = (): void => this.raiseQueued();
    this.raiseJob = core.platform.createDeferred?.(raiseQueued) ?? { schedule: () => core.platform.defer(raiseQueued) };

    // A line's chip data is its pin record (set by map): no lookup per chip operation.
    const pinOf = (data: IrqData): Pin => data.chipData as Pin;
    this.chip = Object.freeze<IrqChip>({
      name: this.name,
      irqStartup: (data) => this.startup(pinOf(data)),
      irqShutdown: (data) => this.shutdown(pinOf(data)),
      irqMask: (data) => {
        pinOf(data).masked = true;
      },
      // handle_level_irq's mask and ack in one call (a level line's hot path). The ack part is done: the HAL's
      // entry merged any latched edge before the flow ran (see deliverer). Kept, not left to irqMask, because
      // the flows' irqMaskAck branch is the shorter one.
      irqMaskAck: (data) => {
        (data.chipData as Pin).masked = true;
      },
      // Inline (after each oneshot thread of a level line): unmask, with no call beyond the level read.
      irqUnmask: (data) => {
        const pin = data.chipData as Pin;
        pin.masked = false;
        const asserted = pin.assertedRead;
        if (asserted !== -1) {
          // Only the level counts for a level line, not the edges that came while it was masked: checkLevel,
          // inline (every unmask of a level line, after each oneshot thread among them, reads the pin). An
          // open pin is a started one (open and close follow start and shutdown), so the bank says both.
          if (pin.pending) pin.pending = false;
          const bank = pin.bank;
          if (bank !== undefined && (bank.read() & pin.bit) === asserted) this.queueRaise(pin);
        } else if (pin.pending) {
          this.queueRaise(pin);
        }
      },
      // The core marks a line started before irqStartup returns: after a failed startup ("in use") the
      // next request only enables it, so enable opens the pin if it is not open yet.
      irqEnable: (data) => {
        const pin = pinOf(data);
        if (pin.started) this.chip.irqUnmask!(data);
        else this.startup(pin);
      },
      // No irqAck: every way into a pin's flow is a HAL entry, which merges a latched edge itself (see
      // deliverer), so the edge flow makes no chip call per interrupt.
      irqSetType: (data, type) => this.setType(pinOf(data), data, type),
      irqSetWake: (data, on) => {
        const pin = pinOf(data);
        if (on) this.wake.enable(pin.irq, pin.pin, pin.type);
        else this.wake.disable(pin.pin);
      },
      // A software re-raise: the pin is entered again from a deferred job, through the parent line.
      irqRetrigger: (data) => {
        const pin = pinOf(data);
        if (pin.pending || pin.raiseQueued) this.count(pin, 'coalesced');
        pin.pending = true;
        this.queueRaise(pin);
        return true;
      },
      irqSetLineEvents: (data, buffer) => {
        const pin = pinOf(data);
        pin.lineEvents = buffer;
        this.setSpecial(pin);
        return pin.lineSeqno;
      },
      irqSetDebounce: (data, periodUs) => this.setDebounce(pinOf(data), periodUs),
      // Drops cannot be known (NaN): an edge lost with a post, or merged into one bit, leaves no trace.
      irqLostEvents: (data) => ({ dropped: NaN, merged: pinOf(data).coalesced }),
    });
    this.parentChip = Object.freeze<IrqChip>({ name: `${this.name}-onreadable` });
    this.domain = core.irqDomainCreateLinear(this.soc.gpioCount, {
      map: (_domain, virq, hwirq) => {
        const pin = this.claim(hwirq);
        pin.irq = virq;
        core.irqSetChipAndHandler(virq, this.chip, handleEdgeIrq);
        core.irqSetChipData(virq, pin);
        this.refreshSolo(pin.group);
      },
      unmap: (_domain, virq) => {
        const pin = this.pins.find((p) => p !== undefined && p.irq === virq);
        if (pin !== undefined) {
          pin.irq = 0;
          this.refreshSolo(pin.group);
        }
      },
    }, this, this.name);

    this.demux = (desc: IrqDesc): void => {
      const chip = desc.irqData.chip!;
      chainedIrqEnter(chip, desc);
      for (let b = 0; b < this.soc.banks; b++) {
        let bits = this.status[b];
        this.status[b] = 0;
        while (bits !== 0) {
          const bit = bits & -bits;
          bits ^= bit;
          this.dispatch(b * 32 + (31 - Math.clz32(bit)));
        }
      }
      chainedIrqExit(chip, desc);
    };
    this.parentIrq = core.irqAllocDesc();
    core.irqSetChip(this.parentIrq, this.parentChip);
    core.irqSetChainedHandlerAndData(this.parentIrq, this.demux, this);
    this.parentDesc = core.descFor(this.parentIrq);
  }

  /** gpio_to_irq: the core's irq for a GPIO, created on first use; `mode` sets its input mode as setPinMode. */
  gpioToIrq(pin: number, mode?: Esp32PinMode): number {
    this.claim(pin);
    if (mode !== undefined) this.setPinMode(pin, mode);
    return this.core.irqCreateMapping(this.domain, pin);
  }

  /**
   * The input mode the pin's DigitalBank is opened with (default 'input': no pull). Changing it on an open
   * pin reopens its bank. A pull on a pin without pulls (ESP32 GPIO 34-39) is EINVAL: the ESP-IDF would only
   * log it and leave the input floating.
   */
  setPinMode(pin: number, mode: Esp32PinMode): void {
    checkPinModeName(pin, mode);
    const p = this.claim(pin);
    checkPull(this.soc, pin, mode);
    if (p.mode === mode) return;
    p.mode = mode;
    if (p.bank === undefined) return;
    this.reopen(p);
    this.checkLevel(p);
  }

  /**
   * The pin's level: read through its open bank, or through a bank opened for the read when its line is shut
   * down; undefined for a pin never mapped, or one another IO object holds.
   */
  level(pin: number): 0 | 1 | undefined {
    const p = this.pins[pin];
    if (p === undefined) return undefined;
    return p.bank === undefined ? this.readClosed(p) : this.read(p);
  }

  /**
   * A pin whose line is shut down has no bank, yet a freed action's thread still runs on (free_irq lets it
   * finish) and may read its device: open an input bank without onReadable for the read, in the pin's mode,
   * and close it. Undefined when another IO object holds the pin (Moddable's "in use").
   */
  private readClosed(p: Pin): 0 | 1 | undefined {
    let bank: DigitalBankInstance;
    try {
      bank = new this.io.DigitalBank({ pins: 1 << (p.pin & 31), bank: p.pin >> 5, mode: this.modeValues[p.mode] as never });
    } catch {
      return undefined;
    }
    try {
      return bank.read() !== 0 ? 1 : 0;
    } finally {
      bank.close();
    }
  }

  /**
   * The HAL's counters (do not write). The object is the same at every read, and each read brings it up to
   * date (the fast path's deliveries and edges are added then: BankGroup.fast): read `stats` again for
   * current figures rather than keeping it.
   */
  get stats(): Readonly<Esp32GpioStats> {
    this.countAllFast();
    return this.counters;
  }

  pinInfo(pin: number): Esp32PinInfo {
    const p = this.pinAt(pin);
    this.countAllFast();
    return Object.freeze({
      pin: p.pin, irq: p.irq, mode: p.mode, type: p.type, open: p.bank !== undefined, masked: p.masked,
      pending: p.pending, wake: this.wake.enabled(p.pin),
      edges: p.edges, coalesced: p.coalesced, ignored: p.ignored, pendingWhileMasked: p.pendingWhileMasked,
      replays: p.replays, levelRetriggers: p.levelRetriggers, reopens: p.reopens, missedEdges: p.missedEdges,
      rearms: p.rearms, debounceUs: p.debounce?.periodUs ?? 0, bounces: p.debounce?.bounces ?? 0,
    });
  }

  /** The wake configuration to apply before light or deep sleep (see wake.ts). */
  wakeSources(): Esp32WakeSources {
    return this.wake.sources();
  }

  // ---- the pins ----

  /**
   * The pin record, created on first use. A GPIO the chip lacks is EINVAL; an SPI flash pin is EBUSY (the
   * flash owns it: reconfiguring it stops instruction fetch and crashes the chip).
   */
  private pinAt(n: number): Pin {
    checkGpio(this.soc, n);
    let pin = this.pins[n];
    if (pin === undefined) {
      pin = {
        ...newCounters(), pin: n, bankIndex: n >> 5, bit: 1 << (n & 31), irq: 0, mode: 'input', type: IRQ_TYPE_NONE, assertedRead: -1,
        bank: undefined, group: undefined, rises: false, falls: false, started: false, masked: true, warned: false, pending: false,
        raiseQueued: false, lastLevel: 0, special: false, lineEvents: undefined, debounce: undefined, lineSeqno: 0,
      };
      this.pins[n] = pin;
    }
    return pin;
  }

  /** A pin a driver asks for (gpioToIrq, setPinMode, a mapping): a pin usually taken is warned about, once. */
  private claim(n: number): Pin {
    const pin = this.pinAt(n);
    warnPinOnce(this.soc, pin, this.name, this.core.log);
    return pin;
  }

  private count(pin: Pin, what: keyof Esp32GpioCounters): void {
    pin[what]++;
    this.counters[what]++;
  }

  private read(pin: Pin): 0 | 1 {
    return (pin.bank!.read() & pin.bit) !== 0 ? 1 : 0;
  }

  /** A level type whose level is present now. */
  private levelAsserted(pin: Pin): boolean {
    if (pin.bank === undefined) return false;
    if (pin.type === IRQ_TYPE_LEVEL_LOW) return this.read(pin) === 0;
    if (pin.type === IRQ_TYPE_LEVEL_HIGH) return this.read(pin) === 1;
    return false;
  }

  private setPinType(pin: Pin, type: number): void {
    pin.type = type;
    pin.assertedRead = type === IRQ_TYPE_LEVEL_LOW ? 0 : type === IRQ_TYPE_LEVEL_HIGH ? pin.bit : -1;
  }

  private isLevel(pin: Pin): boolean {
    return (pin.type & IRQ_TYPE_LEVEL_MASK) !== 0;
  }

  /** The group of the pin's bank index and mode, created on first use. */
  private groupFor(pin: Pin): BankGroup {
    const index = pin.bankIndex * 4 + MODE_INDEX[pin.mode];
    let group = this.groups[index];
    if (group === undefined) {
      group = {
        bankIndex: pin.bankIndex, mode: pin.mode, bank: undefined, pins: 0, rises: 0, falls: 0, level: 0, seen: 0, suspect: 0,
        missed: 0, missedQueued: false, solo: NaN, soloPin: undefined, fast: 0, fastCounted: 0, fastChecked: 0,
        onReadable: undefined as unknown as (triggered: number) => void,
      };
      group.onReadable = this.deliverer(group);
      this.groups[index] = group;
    }
    return group;
  }

  /** Put the pin into its group's bank with the edges of its type (reopening the shared bank). */
  private open(pin: Pin): void {
    const edges = this.edgesOf(pin, pin.type);
    if (edges === undefined) return;
    const group = this.groupFor(pin);
    const bit = pin.bit;
    group.pins |= bit;
    group.rises = edges[0] ? group.rises | bit : group.rises & ~bit;
    group.falls = edges[1] ? group.falls | bit : group.falls & ~bit;
    group.level = this.isLevel(pin) ? group.level | bit : group.level & ~bit;
    try {
      this.rebuild(group, bit);
    } catch (err) {
      // The pin could not be had ("in use"): the group goes back to its other pins, the pin stays closed.
      group.pins &= ~bit;
      group.rises &= ~bit;
      group.falls &= ~bit;
      group.level &= ~bit;
      this.rebuild(group, 0);
      throw err;
    }
    pin.group = group;
    pin.rises = edges[0];
    pin.falls = edges[1];
    // rebuild has just read the bank's levels into `seen`: no second read.
    pin.lastLevel = (group.seen & bit) !== 0 ? 1 : 0;
    pin.debounce?.restart();
  }

  /** Take the pin out of its group's bank (the others' bank is reopened without it). */
  private close(pin: Pin): void {
    pin.debounce?.stop();
    const group = pin.group;
    pin.group = undefined;
    pin.bank = undefined;
    if (group === undefined) return;
    const bit = pin.bit;
    group.pins &= ~bit;
    group.rises &= ~bit;
    group.falls &= ~bit;
    group.level &= ~bit;
    group.suspect &= ~bit;
    group.missed &= ~bit;
    this.rebuild(group, bit);
  }

  private reopen(pin: Pin): void {
    this.close(pin);
    this.count(pin, 'reopens');
    this.open(pin);
  }

  /**
   * Close the group's bank and open it again with its current pins and edges (none: it stays closed). The
   * other pins' edges the close may have dropped (a queued delivery, or a silent bank's) are found by their
   * levels against `seen` and raised once; a level pin by its own level, whatever `seen` says (an assertion
   * after a service, a fall its bank does not report, looks like no change: see levelsDue); `changed` pins
   * (joining, leaving, retyped) are accounted afresh by the caller.
   */
  private rebuild(group: BankGroup, changed: number): void {
    const old = group.bank;
    group.bank = undefined;
    if (old !== undefined) {
      this.openGroups--;
      old.close();
      this.syncFastPath();
    }
    this.forEachPin(group.bankIndex, group.pins, (p) => {
      p.bank = undefined;
    });
    group.suspect = 0;
    this.refreshSolo(group);
    if (group.pins === 0) return;
    const bankIndex = group.bankIndex;
    const bank = new this.io.DigitalBank({
      pins: group.pins,
      bank: bankIndex,
      // The constant read from this same class (see DigitalBankConstructor in io-types.ts for `never`).
      mode: this.modeValues[group.mode] as never,
      rises: group.rises,
      falls: group.falls,
      onReadable: group.onReadable,
    });
    this.openGroups++;
    group.bank = bank;
    this.syncFastPath();
    this.forEachPin(bankIndex, group.pins, (p) => {
      p.bank = bank;
    });
    const levels = bank.read();
    this.counters.silentCheckReads++;
    const level = group.level & ~changed;
    this.noteMissed(group, levels, this.reported(group, levels) & ~changed & ~level);
    group.seen = levels;
    // Whatever reached the level pins' flows went with the close: each asserted, unmasked one is entered again.
    this.raiseLevels(group, this.levelsDue(group, this.asserted(group, levels, level)));
    this.refreshSolo(group);
    this.kickCheckTimer();
  }

  /**
   * Set the group's fast path (solo, soloPin) from its pins' state and the delivery hook: called wherever
   * either changes (a rebuild, start, shutdown, type change, map, unmap; syncFastPath), so a delivery tests
   * one number instead of walking the mask and checking the pin. One pin per group is the usual case (a line
   * per device INT). The fast deliveries so far are counted first: they belong to the pin they were made for.
   */
  private refreshSolo(group: BankGroup | undefined): void {
    if (group === undefined) return;
    this.countFast(group);
    const bits = group.pins;
    const bank = group.bank;
    const pin = bits !== 0 && (bits & (bits - 1)) === 0 ? this.pins[group.bankIndex * 32 + (31 - Math.clz32(bits))] : undefined;
    if (
      pin !== undefined && bank !== undefined && pin.bank === bank && pin.started && pin.irq !== 0 && pin.type !== IRQ_TYPE_EDGE_BOTH &&
      !pin.special && !this.deliveryHook
    ) {
      group.solo = bits;
      group.soloPin = pin;
    } else {
      group.solo = NaN;
      group.soloPin = undefined;
    }
  }

  /** Recompute deliveryHook after checkSlow or openGroups changed; every group's fast path follows it. */
  private syncFastPath(): void {
    const hook = this.checkSlow || (this.checkOnDelivery && this.openGroups > 1);
    if (hook === this.deliveryHook) return;
    this.deliveryHook = hook;
    for (let i = 0; i < this.groups.length; i++) this.refreshSolo(this.groups[i]);
  }

  /** Add the group's fast deliveries not yet counted to the counters (see BankGroup.fast). */
  private countFast(group: BankGroup): void {
    const n = group.fast - group.fastCounted;
    if (n === 0) return;
    group.fastCounted = group.fast;
    this.counters.deliveries += n;
    this.counters.edges += n;
    group.soloPin!.edges += n;
  }

  private countAllFast(): void {
    for (let i = 0; i < this.groups.length; i++) {
      const group = this.groups[i];
      if (group !== undefined) this.countFast(group);
    }
  }

  /** Pins of `bits` in bank `bankIndex` that have a record. */
  private forEachPin(bankIndex: number, bits: number, fn: (pin: Pin) => void): void {
    while (bits !== 0) {
      const bit = bits & -bits;
      bits ^= bit;
      const pin = this.pins[bankIndex * 32 + (31 - Math.clz32(bit))];
      if (pin !== undefined) fn(pin);
    }
  }

  /** Bits whose level moved from `seen` to `levels` in a direction the group's bank reports. */
  private reported(group: BankGroup, levels: number): number {
    const changed = (levels ^ group.seen) & group.pins;
    return changed & ((levels & group.rises) | (~levels & group.falls));
  }

  /**
   * Edges of edge pins the bank should have reported and did not (`levels`: the bank's levels now): counted,
   * and raised once from a deferred job. A both-edge pin's raised edge is accounted in its `lastLevel` as a
   * delivery would be, so its next delivery is not taken for two edges merged.
   */
  private noteMissed(group: BankGroup, levels: number, bits: number): void {
    if (bits === 0) return;
    this.forEachPin(group.bankIndex, bits, (p) => {
      this.count(p, 'missedEdges');
      if (p.type === IRQ_TYPE_EDGE_BOTH) p.lastLevel = (levels & p.bit) !== 0 ? 1 : 0;
    });
    group.missed |= bits;
    if (group.missedQueued) return;
    group.missedQueued = true;
    this.core.platform.defer(() => {
      group.missedQueued = false;
      let missed = group.missed & group.pins;
      group.missed = 0;
      if (missed === 0 || group.bank === undefined) return;
      // A missed edge of a debounced pin restarts its wait; one of a pin with a reader is an event of its own.
      this.forEachPin(group.bankIndex, missed, (p) => {
        if (!p.special) return;
        if (p.debounce !== undefined) {
          missed &= ~p.bit;
          p.debounce.edge(this.core.platform.now());
        } else if (p.lineEvents !== undefined) {
          const id = p.type === IRQ_TYPE_EDGE_BOTH ? p.lastLevel === 1 ? IRQ_LINE_EVENT_RISING_EDGE : IRQ_LINE_EVENT_FALLING_EDGE : EVENT_OF_TYPE[p.type];
          this.record(p, id, NaN, 0);
        }
      });
      if (missed === 0) return;
      this.status[group.bankIndex] |= missed;
      this.core.genericHandleIrq(this.parentIrq);
    });
  }

  /** Pins of `bits` whose bit is at the level their bank is opened to report (a level pin: asserted). */
  private asserted(group: BankGroup, levels: number, bits: number): number {
    return bits & ((levels & group.rises) | (~levels & group.falls));
  }

  /**
   * The level pins of `bits` (asserted ones) that are started, unmasked and with no raise queued: an assertion
   * that nothing will enter. An unmasked level line reaches its flow only through a delivery of its bank
   * (which masks it: handleLevelIrq) or the HAL's raise (unmask queues one while the level holds), so such a
   * pin's delivery is lost, or dropped, or still queued (checkBanks waits a period before it believes that).
   */
  private levelsDue(group: BankGroup, bits: number): number {
    let due = bits;
    if (due === 0) return 0;
    this.forEachPin(group.bankIndex, due, (p) => {
      if (!p.started || p.masked || p.raiseQueued || p.irq === 0) due &= ~p.bit;
    });
    return due;
  }

  /** Level pins levelsDue found after a reopen: counted as missed and entered again (a retrigger each). */
  private raiseLevels(group: BankGroup, bits: number): void {
    if (bits === 0) return;
    this.forEachPin(group.bankIndex, bits, (p) => {
      this.count(p, 'missedEdges');
      this.queueRaise(p);
    });
  }

  // ---- the silent-bank defence ----

  /**
   * Look at every open group but `except` (one read each): a level that moved in a reported direction with no
   * delivery, or a level pin asserted with nothing to enter it (levelsDue: its own level says it, whatever
   * `seen` says), makes its group a suspect; a suspect still without a delivery at the next check (the next
   * timer tick, silentCheckUs later) is silent and re-armed. Changes its bank does not report (a fall on a
   * rising pin) are accounted at once. True when something is going on (a suspect): the timer stays at
   * silentCheckUs.
   */
  private checkBanks(except: BankGroup | undefined): boolean {
    this.counters.silentChecks++;
    let busy = false;
    for (let i = 0; i < this.groups.length; i++) {
      const group = this.groups[i];
      if (group === undefined || group === except || group.bank === undefined) continue;
      // A fast delivery since the last check: the bank is alive, no suspect (what a slow delivery does at once).
      if (group.fast !== group.fastChecked) {
        group.fastChecked = group.fast;
        group.suspect = 0;
      }
      const levels = group.bank.read();
      this.counters.silentCheckReads++;
      const reported = this.reported(group, levels);
      const unreported = (levels ^ group.seen) & group.pins & ~reported;
      group.seen = (group.seen & ~unreported) | (levels & unreported);
      // Level pins asserted (the bits of their bank's edge at the level it ends at), seldom any: inline.
      const asserted = group.level & ~reported & ((levels & group.rises) | (~levels & group.falls));
      const suspect = asserted === 0 ? reported : reported | this.levelsDue(group, asserted);
      if (suspect === 0 && group.suspect === 0) continue;
      busy = true;
      if (group.suspect === 0) group.suspect = suspect;
      else this.rearm(group);
    }
    return busy;
  }

  /** A silent bank: close and reopen it (a new native record whose `triggered` is 0); rebuild raises its missed edges. */
  private rearm(group: BankGroup): void {
    this.counters.rearms++;
    this.forEachPin(group.bankIndex, group.pins, (p) => {
      p.rearms++;
    });
    this.core.log('warn', `${this.name}: the DigitalBank of bank ${group.bankIndex} (${group.mode}) stopped posting (a full message queue); re-armed`);
    this.rebuild(group, 0);
  }

  /**
   * Something happened (a delivery while the checks were backed off, an open): the next check comes
   * silentCheckUs from now, and the quiet count starts again. A timer armed for a backed-off period is
   * cleared and armed anew (once per idle-to-busy change, not per delivery: checkSlow is cleared here); on a
   * platform without clearTimer it is left to run, and its tick sees the activity.
   */
  private kickCheckTimer(): void {
    this.checkQuiet = 0;
    if (!this.checkSlow) return;
    const platform = this.core.platform;
    if (this.checkTimer !== undefined) {
      if (platform.clearTimer === undefined) {
        this.checkSlow = false;
        this.syncFastPath();
        return;
      }
      platform.clearTimer(this.checkTimer);
    }
    this.armCheckTimer(this.silentCheckUs);
  }

  /** A background timer where the platform has one (it runs as long as the system does; see the header). */
  private armCheckTimer(periodUs: number): void {
    this.checkPeriodUs = periodUs;
    this.checkSlow = periodUs > this.silentCheckUs;
    this.syncFastPath();
    this.checkTimer = this.backgroundTimer
      ? this.core.platform.setBackgroundTimer!(this.checkTimerFired, periodUs)
      : this.core.platform.setTimer!(this.checkTimerFired, periodUs);
  }

  /**
   * The timer's check of every open bank. A period with a delivery (counted, not flagged per delivery), an
   * open or a suspect is busy: the next check is silentCheckUs away. After SILENT_IDLE_CHECKS quiet ones in a
   * row each quiet check doubles the period, up to silentIdleCheckUs, where it stays while banks are open: a
   * silent bank says nothing, so only a read can find it. With no bank open the timer stops (the next open
   * starts it).
   */
  private onCheckTimer(): void {
    this.checkTimer = undefined;
    this.checkSlow = true;
    if (this.openGroups === 0) {
      this.syncFastPath();
      return;
    }
    // (Left set until the timer is armed again below, or by a re-arm: the fast path is not touched twice.)
    this.countAllFast();
    const deliveries = this.counters.deliveries;
    if (this.checkBanks(undefined) || deliveries !== this.checkDeliveries) {
      this.checkDeliveries = deliveries;
      this.checkQuiet = 0;
    } else {
      this.checkQuiet++;
    }
    // A re-arm above has armed it already (rebuild kicks the timer).
    if (this.checkTimer !== undefined) return;
    this.armCheckTimer(this.checkQuiet < SILENT_IDLE_CHECKS ? this.silentCheckUs : Math.min(2 * this.checkPeriodUs, this.silentIdleCheckUs));
  }

  /** A level line found asserted where no edge would tell us (start, unmask, type change): raise it. */
  private checkLevel(pin: Pin): void {
    if (pin.started && !pin.masked && this.levelAsserted(pin)) this.queueRaise(pin);
  }

  // ---- chip operations ----

  private startup(pin: Pin): void {
    if (pin.type === IRQ_TYPE_NONE) {
      this.core.log('warn', `irq ${pin.irq}: GPIO${pin.pin} started with no trigger type; it will not interrupt until one is set (IRQF_TRIGGER_* or irqSetIrqType)`);
    } else if (pin.bank === undefined) {
      // May throw (the pin is open elsewhere: "in use"); the request then fails with the pin untouched.
      this.open(pin);
    }
    pin.started = true;
    pin.masked = false;
    pin.pending = false;
    this.refreshSolo(pin.group);
    this.checkLevel(pin);
  }

  private shutdown(pin: Pin): void {
    pin.started = false;
    pin.masked = true;
    pin.pending = false;
    this.close(pin);
  }

  /**
   * A pin is entered (its flow runs next, which acks or mask-acks every interrupt it is given): a latched edge
   * is merged into it. Called by the HAL's entries rather than the chip's irqAck (see deliverer).
   */
  private ack(pin: Pin): void {
    if (!pin.pending) return;
    pin.pending = false;
    if (!this.isLevel(pin)) this.count(pin, 'coalesced');
  }

  private setType(pin: Pin, data: IrqData, type: number): void {
    const edges = this.edgesOf(pin, type);
    if (edges === undefined) throw new IrqError('EINVAL', `irq ${pin.irq}: GPIO${pin.pin} cannot take trigger ${triggerName(type)}`, pin.irq);
    if (this.wake.enabled(pin.pin)) this.wake.check(pin.irq, pin.pin, type);
    const oldType = pin.type;
    this.setPinType(pin, type);
    if (pin.started) {
      try {
        if (pin.bank === undefined) this.open(pin);
        else if (pin.rises !== edges[0] || pin.falls !== edges[1]) this.reopen(pin);
      } catch (err) {
        // Reopening failed: put the old type back (and its bank, if the pin can still be had).
        this.setPinType(pin, oldType);
        if (pin.bank === undefined) {
          try {
            this.open(pin);
          } catch {
            // The pin stays closed; the error below says why.
          }
        }
        throw err;
      }
    }
    // Falling <-> level-low (rising <-> level-high) reopens nothing: the group's level bit follows the type.
    const group = pin.group;
    if (group !== undefined) group.level = this.isLevel(pin) ? group.level | pin.bit : group.level & ~pin.bit;
    this.refreshSolo(group);
    if (this.wake.enabled(pin.pin)) this.wake.enable(pin.irq, pin.pin, type);
    // A latch of the old type must not fire the new one.
    pin.pending = false;
    irqSetHandlerLocked(data, type & IRQ_TYPE_LEVEL_MASK ? handleLevelIrq : handleEdgeIrq);
    this.checkLevel(pin);
  }

  // ---- interrupts ----

  /**
   * onReadable of a group's bank: the hardirq entry. Made once per group (groupFor) and passed as the bank's
   * onReadable itself, rather than an arrow calling a method with the group: one call per delivery instead of
   * two.
   *
   * The fast path, a mask that is the group's one pin (solo: the usual case, and nothing else to do, see
   * refreshSolo): the bank's read is the accounted levels (`seen`; the bank is alive, which the check learns
   * from `fast`, also the lazy count of the delivery and the edge), the delivery is the parent line's
   * interrupt (counted as chained_irq_enter counts it: no chained parent flow, status register or domain
   * lookup per delivery), and the pin is entered straight through its irq (set by map, cleared by unmap), or
   * latched while masked. A latched edge is merged here, before the flow, which is where the flow's ack would
   * merge it: every way into a pin's flow is a HAL entry (this, deliverSlow, dispatch), so the chip needs no
   * irqAck and the flow makes no chip call for it. Anything else goes to deliverSlow.
   */
  private deliverer(group: BankGroup): (triggered: number) => void {
    const core = this.core;
    const parentDesc = this.parentDesc;
    const edgeTime = this.edgeTime;
    return (triggered: number): void => {
      if (triggered === group.solo) {
        group.seen = group.bank!.read();
        group.fast++;
        parentDesc.count++;
        const pin = group.soloPin!;
        if (pin.masked) {
          this.latch(pin);
        } else {
          if (pin.pending) this.ack(pin);
          if (edgeTime === undefined) core.genericHandleIrq(pin.irq);
          else core.genericHandleIrq(pin.irq, edgeTime(pin.pin));
        }
      } else {
        this.deliverSlow(group, triggered);
      }
    };
  }

  /**
   * A delivery off the fast path (several pins, a both-edge pin, a pin not started or mapped, or a check due):
   * the same steps for each bit of the mask, with the both-edge coalescing check (from the same bank read),
   * then the other banks: checked by the timer (brought forward to silentCheckUs if it was backed off), by
   * each delivery only when there is no timer.
   */
  private deliverSlow(group: BankGroup, triggered: number): void {
    const counters = this.counters;
    counters.deliveries++;
    const bank = group.bank;
    const levels = bank === undefined ? 0 : bank.read();
    group.seen = levels;
    group.suspect = 0;
    this.parentDesc.count++;
    const pins = this.pins;
    const core = this.core;
    const edgeTime = this.edgeTime;
    const base = group.bankIndex * 32;
    let bits = triggered;
    while (bits !== 0) {
      const bit = bits & -bits;
      bits ^= bit;
      const n = base + (31 - Math.clz32(bit));
      const pin = pins[n];
      counters.edges++;
      if (pin === undefined) {
        counters.ignored++;
        continue;
      }
      pin.edges++;
      if (pin.special && pin.bank !== undefined && pin.started && pin.irq !== 0) {
        this.deliverSpecial(pin, (levels & bit) !== 0 ? 1 : 0);
        continue;
      }
      if (pin.type === IRQ_TYPE_EDGE_BOTH) this.noteBothEdges(pin, (levels & bit) !== 0 ? 1 : 0);
      if (pin.bank === undefined || !pin.started || pin.irq === 0) {
        this.count(pin, 'ignored');
      } else if (pin.masked) {
        this.latch(pin);
      } else {
        if (pin.pending) this.ack(pin);
        core.genericHandleIrq(pin.irq, edgeTime === undefined ? undefined : edgeTime(n));
      }
    }
    if (this.checkOnDelivery) {
      if (this.openGroups > 1) this.checkBanks(group);
    } else if (this.checkSlow) {
      this.kickCheckTimer();
    }
  }

  /** One pin bit out of the status in the chained handler (deliverer and deliverSlow have the same steps inline). */
  private dispatch(n: number): void {
    const pin = this.pins[n];
    if (pin === undefined) {
      this.counters.ignored++;
      return;
    }
    if (pin.bank === undefined || !pin.started || pin.irq === 0) {
      this.count(pin, 'ignored');
      return;
    }
    if (pin.masked) {
      this.latch(pin);
      return;
    }
    if (pin.pending) this.ack(pin);
    const edgeTime = this.edgeTime;
    this.core.genericHandleIrq(pin.irq, edgeTime === undefined ? undefined : edgeTime(n));
  }

  /** A bit for a masked pin: the software status latch (lazy masking). */
  private latch(pin: Pin): void {
    this.count(pin, 'pendingWhileMasked');
    if (pin.pending && !this.isLevel(pin)) this.count(pin, 'coalesced');
    pin.pending = true;
  }

  /**
   * Enter the pin again from a deferred job: a pending edge (replay) or a level still asserted (retrigger). The
   * pins queued before the job runs are raised by that one job, in pin order.
   */
  private queueRaise(pin: Pin): void {
    if (pin.raiseQueued) return;
    pin.raiseQueued = true;
    this.raiseMask[pin.bankIndex] |= pin.bit;
    this.raiseJob.schedule();
  }

  private raiseQueued(): void {
    for (let b = 0; b < this.raiseMask.length; b++) {
      let bits = this.raiseMask[b];
      this.raiseMask[b] = 0;
      while (bits !== 0) {
        const bit = bits & -bits;
        bits ^= bit;
        const pin = this.pins[b * 32 + (31 - Math.clz32(bit))];
        if (pin !== undefined && pin.raiseQueued) this.raise(pin);
      }
    }
  }

  private raise(pin: Pin): void {
    pin.raiseQueued = false;
    if (!pin.started || pin.bank === undefined) return;
    if (this.isLevel(pin)) {
      // Masked meanwhile: its unmask checks again. Let go meanwhile: nothing to raise.
      if (pin.masked || !this.levelAsserted(pin)) return;
      this.count(pin, 'levelRetriggers');
      // The level asserted again: an interrupt of its own, as the native chip's ISR would report.
      if (pin.lineEvents !== undefined) this.record(pin, EVENT_OF_TYPE[pin.type], NaN, 0);
    } else {
      if (pin.masked || !pin.pending) return;
      pin.pending = false;
      this.count(pin, 'replays');
    }
    this.status[pin.bankIndex] |= pin.bit;
    this.core.genericHandleIrq(this.parentIrq);
  }

  /**
   * Per delivered bit of a both-edge pin, before dispatch: the coalescing check (the level from the
   * delivery's bank read): each edge flips the level, so finding the level of the previous delivery means an
   * even number of edges went by as this one bit. An odd number cannot be told from one edge.
   */
  private noteBothEdges(pin: Pin, level: 0 | 1): boolean {
    if (pin.bank === undefined) return false;
    const merged = level === pin.lastLevel;
    if (merged) this.count(pin, 'coalesced');
    pin.lastLevel = level;
    return merged;
  }

  // ---- line events and debounce ----

  /** The edges the pin's bank reports for `type`: both while debounced (the debounce reads every edge). */
  private edgesOf(pin: Pin, type: number): readonly [boolean, boolean] | undefined {
    const edges = EDGES_OF_TYPE[type];
    return edges !== undefined && pin.debounce !== undefined ? EDGES_OF_TYPE[IRQ_TYPE_EDGE_BOTH] : edges;
  }

  /** A pin with a reader or a debounce is delivered by deliverSpecial, never on the fast path. */
  private setSpecial(pin: Pin): void {
    pin.special = pin.lineEvents !== undefined || pin.debounce !== undefined;
    this.refreshSolo(pin.group);
  }

  /**
   * A delivered bit of a started, mapped pin with a reader or a debounce (deliverSlow's steps, and these): a
   * debounced pin's edge goes to its debounce; any other is an event, with the time only the simulated board
   * knows (edgeTime; NaN on a board), its edge told by the type or, for a both-edge pin, by the level the
   * delivery read (an edge pair merged into one bit, seen by that level, is a gap of one), and never exact:
   * edges merged into one bit before the delivery are not seen.
   */
  private deliverSpecial(pin: Pin, level: 0 | 1): void {
    const edgeUs = this.edgeTime?.(pin.pin);
    if (pin.debounce !== undefined) {
      pin.debounce.edge(edgeUs ?? this.core.platform.now());
      return;
    }
    let id = EVENT_OF_TYPE[pin.type];
    let merged = 0;
    if (pin.type === IRQ_TYPE_EDGE_BOTH) {
      if (this.noteBothEdges(pin, level)) merged = 1;
      id = level === 1 ? IRQ_LINE_EVENT_RISING_EDGE : IRQ_LINE_EVENT_FALLING_EDGE;
    }
    this.record(pin, id, edgeUs ?? NaN, merged);
    this.enter(pin, edgeUs);
  }

  /** An event into the pin's reader, after `merged` edges known lost in it. */
  private record(pin: Pin, id: number, timeUs: number, merged: number): void {
    pin.lineSeqno += 1 + merged;
    pin.lineEvents?.push(timeUs, id, ++this.seqno, pin.lineSeqno, false);
  }

  /** Enters the pin (off the fast path), or latches while masked. */
  private enter(pin: Pin, edgeUs: number | undefined): void {
    if (pin.masked) {
      this.latch(pin);
      return;
    }
    if (pin.pending) this.ack(pin);
    this.core.genericHandleIrq(pin.irq, edgeUs);
  }

  /** A debounced pin's settled change: an event (exact: a settled level) if its trigger wants the direction. */
  private settled(pin: Pin, level: 0 | 1, timeUs: number): void {
    if (!pin.started || pin.irq === 0 || (pin.type & (level === 1 ? IRQ_TYPE_EDGE_RISING : IRQ_TYPE_EDGE_FALLING)) === 0) return;
    pin.lineSeqno++;
    pin.lineEvents?.push(timeUs, level === 1 ? IRQ_LINE_EVENT_RISING_EDGE : IRQ_LINE_EVENT_FALLING_EDGE, ++this.seqno, pin.lineSeqno, true);
    this.enter(pin, timeUs);
  }

  private setDebounce(pin: Pin, periodUs: number): void {
    pin.debounce = replaceDebounce(pin.debounce, periodUs, {
      platform: this.core.platform,
      level: () => (pin.bank === undefined ? 0 : this.read(pin)),
      settled: (level, timeUs) => this.settled(pin, level, timeUs),
    }, pin.irq, this.name);
    this.setSpecial(pin);
    // An edge latched before the switch was made under the other rule.
    pin.pending = false;
    const edges = this.edgesOf(pin, pin.type);
    if (pin.bank !== undefined && edges !== undefined && (pin.rises !== edges[0] || pin.falls !== edges[1])) this.reopen(pin);
  }
}
