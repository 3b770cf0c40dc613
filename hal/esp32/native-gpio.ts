/*
 * The ESP32 GPIO pins as an irq_chip over genirq's native GPIO module (native/gpio-irq: an IRAM ISR on
 * ESP-IDF's GPIO driver), the alternative to the DigitalBank chip (gpio.ts). An app picks one (README, "Which
 * GPIO chip").
 *
 * What the native module does that a DigitalBank cannot: its ISR takes each interrupt's time
 * (esp_timer_get_time) and level, counts it, and masks the pin there when the line is level-type or masked
 * (the hardirq's mask-and-ack); each interrupt is one event in a ring with Linux's sequence numbers
 * (gpiolib-cdev's seqno and line_seqno), the oldest dropped and counted when the ring is full; one post per
 * batch, and a failed post is undone so the next interrupt posts again. So:
 * - Level types are real: the ISR masks a level pin, unmask enables it again, and a level still asserted
 *   enters at once. No software emulation, no read at unmask.
 * - Masking is in the hardware, lazily as the kernel's disable_irq: a masked line's next interrupt is reported
 *   and its pin disabled. The report is latched here (`pending`) and replayed once at unmask for an edge line;
 *   a level line needs no replay (its level enters again by itself).
 * - genericHandleIrq gets each event's time, in the core's clock, when the core keeps latency statistics (its
 *   one use of it; without them no clock is read).
 * - Nothing is silent: a post lost to a full message queue is found by a timer (`postCheckUs`) that reads the
 *   ring while events wait in it; a dropped event is counted on its line, and a line whose every event of a
 *   batch was dropped is still entered once (its pin may be masked by the ISR, waiting for it).
 *
 * Where it differs from Linux: irqRetrigger is in software (a replay from a deferred job, merged with an
 * interrupt latched while masked), as ESP-IDF's driver offers no way to set a status bit; irqAck has nothing to
 * do (gpio_isr_loop clears an edge's status bit before the ISR runs).
 *
 * Nothing touches native IO at module load: every call is made by an instance created at start-up.
 */
import {
  IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH, IRQ_TYPE_LEVEL_LOW,
  IRQ_TYPE_LEVEL_MASK, IRQ_TYPE_NONE, IRQ_LINE_EVENT_FALLING_EDGE, IRQ_LINE_EVENT_RISING_EDGE, IrqError, handleEdgeIrq,
  handleLevelIrq, irqSetHandlerLocked, triggerName, type IrqChip, type IrqCore, type IrqData, type IrqDomain,
  type IrqLineEventBuffer,
} from '../../firmware/irq';
import { replaceDebounce, type Esp32Debounce } from './debounce';
import {
  NATIVE_COUNTERS, NATIVE_COUNTER_DROPPED, NATIVE_COUNTER_DROPPED_LINES, NATIVE_COUNTER_SEQNO, NATIVE_COUNTER_POSTS, NATIVE_COUNTER_POST_FAILURES, NATIVE_COUNTER_QUEUED,
  NATIVE_DROPPED_WORDS, NATIVE_EVENT_WORDS, NATIVE_LINE_DROPPED, NATIVE_LINE_SEQNO, NATIVE_RING_SIZE, type NativeGpioModule,
} from './native-gpio-module';
import { checkGpio, checkPinModeName, checkPull, socPins, warnPinOnce, type Esp32PinMode, type Esp32Soc, type SocPins } from './pins';
import { Esp32Wake, type Esp32WakeSources } from './wake';

/** gpio_int_type_t for each trigger type the chip takes. */
const NATIVE_TYPE: Readonly<Record<number, number>> = Object.freeze({
  [IRQ_TYPE_EDGE_RISING]: 1,
  [IRQ_TYPE_EDGE_FALLING]: 2,
  [IRQ_TYPE_EDGE_BOTH]: 3,
  [IRQ_TYPE_LEVEL_LOW]: 4,
  [IRQ_TYPE_LEVEL_HIGH]: 5,
});

const PULL_OF_MODE: Readonly<Record<Esp32PinMode, number>> = Object.freeze({ input: 0, pullup: 1, pulldown: 2, pullupdown: 3 });

/** Default period of the lost-post check, µs. */
const POST_CHECK_US = 100_000;

export interface Esp32NativeGpioOptions {
  /** The chip the firmware was built for (as Esp32GpioOptions.soc): its pin table is enforced here. */
  soc: Esp32Soc;
  /** Name of the chip and the domain ("esp32-native-gpio"). */
  name?: string;
  /** As Esp32GpioOptions.deepSleepWake: wake sources must also wake from deep sleep (true by default). */
  deepSleepWake?: boolean;
  /**
   * Period, µs, of the check that reads the ring when events wait in it with no post on the way (a post lost
   * to a full message queue): 100,000 by default; 0 for none. It runs while a line is open, as a background timer.
   */
  postCheckUs?: number;
}

/** What the chip counted, in all (stats) and per pin (pinInfo). */
export interface Esp32NativeGpioCounters {
  /** Events delivered to the core (one per interrupt the ISR reported). */
  events: number;
  /** Events of a masked line, latched as pending. */
  pendingWhileMasked: number;
  /** Pending edges replayed at unmask. */
  replays: number;
  /** Events the full ring dropped (the native module's count; the gaps in line_seqno). */
  dropped: number;
  /** Lines entered although their every event of a batch was dropped. */
  droppedEntries: number;
  /** Edges of a masked edge line that found one already latched, or a retrigger that did: one replay for both. */
  merged: number;
}

export interface Esp32NativeGpioStats extends Esp32NativeGpioCounters {
  /** Batches read (one per post, and one per lost post found). */
  deliveries: number;
  /** Posts lost to a full message queue (the native module's count), and lost posts found by the check. */
  postFailures: number;
  lostPostsFound: number;
}

export interface Esp32NativePinInfo extends Esp32NativeGpioCounters {
  readonly pin: number;
  readonly irq: number;
  readonly mode: Esp32PinMode;
  readonly type: number;
  readonly open: boolean;
  readonly masked: boolean;
  readonly pending: boolean;
  readonly wake: boolean;
  /** Events the native module made on the line since it was opened (its line_seqno; 0 while closed). */
  readonly lineSeqno: number;
  /** The debounce period (irqSetDebounce), µs, 0 for none; the raw edges it swallowed. */
  readonly debounceUs: number;
  readonly bounces: number;
}

interface Pin extends Esp32NativeGpioCounters {
  readonly pin: number;
  irq: number;
  mode: Esp32PinMode;
  type: number;
  open: boolean;
  started: boolean;
  masked: boolean;
  pending: boolean;
  replayQueued: boolean;
  warned: boolean;
  /** A driver reads the line's events (irqSetLineEvents), or the line is debounced: its events leave the fast path. */
  special: boolean;
  lineEvents: IrqLineEventBuffer | undefined;
  debounce: Esp32Debounce | undefined;
  /** A debounced line's events: the native seqno of the last raw edge, and the settled events made. */
  rawSeqno: number;
  settledSeqno: number;
  /** The module's drop count of the line's current open already in `dropped` (countDropped). */
  droppedThisOpen: number;
}

function newCounters(): Esp32NativeGpioCounters {
  return { events: 0, pendingWhileMasked: 0, replays: 0, dropped: 0, droppedEntries: 0, merged: 0 };
}

export class Esp32NativeGpio {
  readonly chip: IrqChip;
  readonly domain: IrqDomain<Esp32NativeGpio>;
  readonly name: string;
  readonly soc: SocPins;
  private readonly core: IrqCore;
  private readonly native: NativeGpioModule;
  private readonly wake: Esp32Wake;
  private readonly pins: (Pin | undefined)[] = [];
  private readonly eventBuffer = new ArrayBuffer(NATIVE_RING_SIZE * NATIVE_EVENT_WORDS * 4);
  private readonly eventWords = new Uint32Array(this.eventBuffer);
  private readonly droppedBuffer = new ArrayBuffer(NATIVE_DROPPED_WORDS * 4);
  private readonly droppedWords = new Uint32Array(this.droppedBuffer);
  private readonly counterBuffer = new ArrayBuffer(NATIVE_COUNTERS * 4);
  private readonly counterWords = new Uint32Array(this.counterBuffer);
  private readonly counters: Esp32NativeGpioStats = { ...newCounters(), deliveries: 0, postFailures: 0, lostPostsFound: 0 };
  private readonly postCheckUs: number;
  private readonly deliver: () => void;
  /** The core keeps latency statistics (IrqCoreOptions.stats): the events' times are handed to it. */
  private readonly edgeTimes: boolean;
  private openLines = 0;
  private checkTimer: unknown = undefined;
  /** Deliveries at the last check: a check that finds events waiting and no delivery since reads them. */
  private checkedDeliveries = 0;

  constructor(core: IrqCore, native: NativeGpioModule, options: Esp32NativeGpioOptions) {
    this.core = core;
    this.native = native;
    this.soc = socPins(options.soc);
    this.name = options.name ?? 'esp32-native-gpio';
    this.wake = new Esp32Wake(this.soc, options.deepSleepWake !== false);
    this.postCheckUs = options.postCheckUs ?? POST_CHECK_US;
    if (!(this.postCheckUs >= 0)) throw new RangeError(`Esp32NativeGpio: postCheckUs ${String(options.postCheckUs)} must be >= 0`);

    const pinOf = (data: IrqData): Pin => data.chipData as Pin;
    this.chip = Object.freeze<IrqChip>({
      name: this.name,
      irqStartup: (data) => this.startup(pinOf(data)),
      irqShutdown: (data) => this.shutdown(pinOf(data)),
      irqMask: (data) => this.mask(pinOf(data)),
      irqMaskAck: (data) => this.mask(pinOf(data)),
      irqUnmask: (data) => this.unmask(pinOf(data)),
      irqEnable: (data) => {
        const pin = pinOf(data);
        if (pin.started) this.unmask(pin);
        else this.startup(pin);
      },
      irqSetType: (data, type) => this.setType(pinOf(data), data, type),
      // The core's resend of a pending edge: merged with an interrupt the chip latched while masked, one replay.
      irqRetrigger: (data) => {
        const pin = pinOf(data);
        if (pin.pending) this.countMerged(pin);
        pin.pending = true;
        this.queueReplay(pin);
        return true;
      },
      irqSetWake: (data, on) => {
        const pin = pinOf(data);
        if (on) this.wake.enable(pin.irq, pin.pin, pin.type);
        else this.wake.disable(pin.pin);
      },
      irqSetLineEvents: (data, buffer) => this.setLineEvents(pinOf(data), buffer),
      irqSetDebounce: (data, periodUs) => this.setDebounce(pinOf(data), periodUs),
      irqLostEvents: (data) => {
        const pin = pinOf(data);
        return { dropped: pin.dropped, merged: pin.merged };
      },
    });
    this.domain = core.irqDomainCreateLinear(this.soc.gpioCount, {
      map: (_domain, virq, hwirq) => {
        const pin = this.claim(hwirq);
        pin.irq = virq;
        core.irqSetChipAndHandler(virq, this.chip, handleEdgeIrq);
        core.irqSetChipData(virq, pin);
      },
      unmap: (_domain, virq) => {
        const pin = this.pins.find((p) => p !== undefined && p.irq === virq);
        if (pin !== undefined) pin.irq = 0;
      },
    }, this, this.name);
    // No try here: on the board an exception out of the message callback aborts the machine, but nothing in
    // the delivery throws (the core isolates a throwing handler or chip operation in genericHandleIrq).
    this.deliver = () => this.read();
    this.edgeTimes = core.statsEnabled;
  }

  /** gpio_to_irq: the core's irq for a GPIO, created on first use; `mode` sets its pull as setPinMode. */
  gpioToIrq(pin: number, mode?: Esp32PinMode): number {
    this.claim(pin);
    if (mode !== undefined) this.setPinMode(pin, mode);
    return this.core.irqCreateMapping(this.domain, pin);
  }

  /** The pull the pin is opened with (default 'input': none); an open line is reopened with it. */
  setPinMode(pin: number, mode: Esp32PinMode): void {
    checkPinModeName(pin, mode);
    const p = this.claim(pin);
    checkPull(this.soc, pin, mode);
    if (p.mode === mode) return;
    p.mode = mode;
    if (!p.open) return;
    this.close(p);
    this.open(p);
  }

  /** The pin's level while its line is open; undefined otherwise. */
  level(pin: number): 0 | 1 | undefined {
    const p = this.pins[pin];
    if (p === undefined || !p.open) return undefined;
    return this.native.level(pin) !== 0 ? 1 : 0;
  }

  /** The chip's counters, with the native module's lost posts (a snapshot). */
  get stats(): Readonly<Esp32NativeGpioStats> {
    this.native.counters(this.counterBuffer);
    this.counters.postFailures = this.counterWords[NATIVE_COUNTER_POST_FAILURES];
    // Events are counted per pin only (one increment on the hot path): the total is their sum.
    let events = 0;
    for (const pin of this.pins) if (pin !== undefined) events += pin.events;
    return Object.freeze({ ...this.counters, events });
  }

  /** The native module's own counters: events made (seqno), posts, failed posts, drops, events queued, lines with drops unread. */
  nativeCounters(): { seqno: number; posts: number; postFailures: number; dropped: number; queued: number; droppedLines: number } {
    this.native.counters(this.counterBuffer);
    const w = this.counterWords;
    return Object.freeze({
      seqno: w[NATIVE_COUNTER_SEQNO], posts: w[NATIVE_COUNTER_POSTS], postFailures: w[NATIVE_COUNTER_POST_FAILURES],
      dropped: w[NATIVE_COUNTER_DROPPED], queued: w[NATIVE_COUNTER_QUEUED], droppedLines: w[NATIVE_COUNTER_DROPPED_LINES],
    });
  }

  pinInfo(pin: number): Esp32NativePinInfo {
    const p = this.pinAt(pin);
    let lineSeqno = 0;
    if (p.open) {
      this.native.lineCounters(p.pin, this.counterBuffer);
      lineSeqno = this.counterWords[NATIVE_LINE_SEQNO];
    }
    return Object.freeze({
      pin: p.pin, irq: p.irq, mode: p.mode, type: p.type, open: p.open, masked: p.masked, pending: p.pending,
      wake: this.wake.enabled(p.pin), lineSeqno,
      debounceUs: p.debounce?.periodUs ?? 0, bounces: p.debounce?.bounces ?? 0,
      events: p.events, pendingWhileMasked: p.pendingWhileMasked, replays: p.replays, dropped: p.dropped,
      droppedEntries: p.droppedEntries, merged: p.merged,
    });
  }

  wakeSources(): Esp32WakeSources {
    return this.wake.sources();
  }

  // ---- the delivery: the hardirq entry ----

  /**
   * Reads the ring and enters each event's line, oldest first, with its time in the core's clock. The hot path:
   * one native read per batch, then per event a table lookup and the core's entry.
   */
  private read(): void {
    const native = this.native;
    const count = native.read(this.eventBuffer, this.droppedBuffer);
    this.counters.deliveries++;
    const words = this.eventWords;
    const pins = this.pins;
    const core = this.core;
    // The events' clock (esp_timer) to the core's, read once per batch, at its first event to enter, and only
    // when something uses an event's time: the core's latency statistics, a line's reader or its debounce.
    const edgeTimes = this.edgeTimes;
    let offset = NaN;
    for (let o = 0, end = count * NATIVE_EVENT_WORDS; o < end; o += NATIVE_EVENT_WORDS) {
      const pin = pins[words[o + 4] & 0xff];
      if (pin === undefined || !pin.started) continue;
      if (pin.special) {
        if (offset !== offset) offset = core.platform.now() - native.now();
        this.readSpecial(pin, o, offset);
        continue;
      }
      pin.events++;
      if (pin.masked) this.latch(pin);
      else if (!edgeTimes) core.genericHandleIrq(pin.irq);
      else {
        if (offset !== offset) offset = core.platform.now() - native.now();
        core.genericHandleIrq(pin.irq, words[o + 1] * 0x1_0000_0000 + words[o] + offset);
      }
    }
    const dropped = this.droppedWords;
    if ((dropped[0] | dropped[1]) !== 0) this.readDropped(count);
  }

  /**
   * An event of a line with a reader of its events or with debounce (off the fast path): its time in the core's
   * clock (`offset`: the batch's, read once); a raw edge of a debounced line goes to its debounce, any other event to the reader and the line.
   */
  private readSpecial(pin: Pin, o: number, offset: number): void {
    const words = this.eventWords;
    const timeUs = words[o + 1] * 0x1_0000_0000 + words[o] + offset;
    if (pin.debounce !== undefined) {
      pin.rawSeqno = words[o + 2];
      pin.debounce.edge(timeUs);
      return;
    }
    pin.events++;
    // The module's event ids are the line events' (NATIVE_EVENT_* = IRQ_LINE_EVENT_*).
    pin.lineEvents?.push(timeUs, (words[o + 4] >>> 8) & 0xff, words[o + 2], words[o + 3], true);
    this.enter(pin, timeUs);
  }

  /** A debounced line's settled change: an event if its trigger wants the direction. */
  private settled(pin: Pin, level: 0 | 1, timeUs: number): void {
    if (!pin.started || (pin.type & (level === 1 ? IRQ_TYPE_EDGE_RISING : IRQ_TYPE_EDGE_FALLING)) === 0) return;
    pin.events++;
    pin.settledSeqno++;
    pin.lineEvents?.push(timeUs, level === 1 ? IRQ_LINE_EVENT_RISING_EDGE : IRQ_LINE_EVENT_FALLING_EDGE, pin.rawSeqno, pin.settledSeqno, true);
    this.enter(pin, timeUs);
  }

  /** Enters the line (off the fast path), or latches while masked. */
  private enter(pin: Pin, timeUs: number): void {
    if (pin.masked) this.latch(pin);
    else this.core.genericHandleIrq(pin.irq, this.edgeTimes ? timeUs : undefined);
  }

  /**
   * The lines with drops since the last read: their counts, and an entry for each whose every event of this batch
   * was dropped (it still fired, and a level pin waits, masked by the ISR).
   */
  private readDropped(count: number): void {
    for (let w = 0; w < NATIVE_DROPPED_WORDS; w++) {
      let bits = this.droppedWords[w];
      while (bits !== 0) {
        const bit = bits & -bits;
        bits ^= bit;
        const n = w * 32 + 31 - Math.clz32(bit);
        const pin = this.pins[n];
        if (pin === undefined || !pin.open) continue;
        this.countDropped(pin);
        if (!pin.started || this.batchHas(n, count)) continue;
        pin.droppedEntries++;
        this.counters.droppedEntries++;
        // A debounced line's dropped edges are edges still: its wait starts again.
        if (pin.debounce !== undefined) {
          pin.debounce.edge(this.core.platform.now());
          continue;
        }
        pin.events++;
        if (pin.masked) this.latch(pin);
        else this.core.genericHandleIrq(pin.irq);
      }
    }
  }

  /** Whether the batch just read (`count` events) holds an event of GPIO `n`. */
  private batchHas(n: number, count: number): boolean {
    const words = this.eventWords;
    for (let o = 4, end = count * NATIVE_EVENT_WORDS; o < end; o += NATIVE_EVENT_WORDS) if ((words[o] & 0xff) === n) return true;
    return false;
  }

  /** An interrupt of a masked line: the hardware's status latch, here (the ISR disabled the pin and reported it). */
  private latch(pin: Pin): void {
    if (pin.pending) {
      if ((pin.type & IRQ_TYPE_LEVEL_MASK) === 0) this.countMerged(pin);
      return;
    }
    pin.pending = true;
    pin.pendingWhileMasked++;
    this.counters.pendingWhileMasked++;
  }

  private countMerged(pin: Pin): void {
    pin.merged++;
    this.counters.merged++;
  }

  /**
   * The line's drops, as the native module counts them (the gaps in its line_seqno), added to the chip's: the
   * module's count starts again at each open (`droppedThisOpen` is the part already added).
   */
  private countDropped(pin: Pin): void {
    this.native.lineCounters(pin.pin, this.counterBuffer);
    const added = this.counterWords[NATIVE_LINE_DROPPED] - pin.droppedThisOpen;
    if (added === 0) return;
    pin.droppedThisOpen += added;
    pin.dropped += added;
    this.counters.dropped += added;
  }

  // ---- the lost-post check ----

  private armCheck(): void {
    if (this.postCheckUs === 0 || this.checkTimer !== undefined || this.openLines === 0) return;
    const platform = this.core.platform;
    const set = platform.setBackgroundTimer ?? platform.setTimer;
    if (set === undefined) return;
    this.checkTimer = set.call(platform, () => {
      this.checkTimer = undefined;
      this.check();
      this.armCheck();
    }, this.postCheckUs);
  }

  /**
   * Events wait in the ring and no delivery came for a whole period: their post was lost (or, on a Moddable
   * release before 2026-01-05, reported as sent when it was not). Read them now.
   */
  private check(): void {
    const deliveries = this.counters.deliveries;
    const quiet = deliveries === this.checkedDeliveries;
    this.checkedDeliveries = deliveries;
    if (!quiet) return;
    this.native.counters(this.counterBuffer);
    // Drops waiting with no event queued: a level line whose events all went, its pin masked by the ISR.
    if (this.counterWords[NATIVE_COUNTER_QUEUED] === 0 && this.counterWords[NATIVE_COUNTER_DROPPED_LINES] === 0) return;
    this.counters.lostPostsFound++;
    this.deliver();
    this.checkedDeliveries = this.counters.deliveries;
  }

  // ---- the pins ----

  private pinAt(n: number): Pin {
    checkGpio(this.soc, n);
    let pin = this.pins[n];
    if (pin === undefined) {
      pin = {
        ...newCounters(), pin: n, irq: 0, mode: 'input', type: IRQ_TYPE_NONE, open: false, started: false, masked: true,
        pending: false, replayQueued: false, warned: false, special: false, lineEvents: undefined, debounce: undefined,
        rawSeqno: 0, settledSeqno: 0, droppedThisOpen: 0,
      };
      this.pins[n] = pin;
    }
    return pin;
  }

  private claim(n: number): Pin {
    const pin = this.pinAt(n);
    warnPinOnce(this.soc, pin, this.name, this.core.log);
    return pin;
  }

  private open(pin: Pin): void {
    if (this.openLines === 0) {
      this.native.onReadable(this.deliver);
      // A post that arrived while no line was open found no reader, and the module posts again only after a read
      // (its post_pending): read now. Every event in the ring was a closed line's, so there is nothing to deliver.
      this.native.read(this.eventBuffer, this.droppedBuffer);
    }
    try {
      this.native.open(pin.pin, this.nativeType(pin), PULL_OF_MODE[pin.mode]);
    } catch (err) {
      if (this.openLines === 0) this.native.onReadable(undefined);
      const message = err instanceof Error ? err.message : String(err);
      throw new IrqError(/in use/.test(message) ? 'EBUSY' : 'EINVAL', `irq ${pin.irq}: GPIO${pin.pin} cannot be opened: ${message}`, pin.irq);
    }
    pin.open = true;
    this.openLines++;
    pin.debounce?.restart();
    this.armCheck();
  }

  private close(pin: Pin): void {
    if (!pin.open) return;
    pin.debounce?.stop();
    this.countDropped(pin);
    pin.droppedThisOpen = 0;
    this.native.close(pin.pin);
    pin.open = false;
    this.openLines--;
    if (this.openLines === 0) {
      this.native.onReadable(undefined);
      if (this.checkTimer !== undefined) this.core.platform.clearTimer?.(this.checkTimer);
      this.checkTimer = undefined;
    }
  }

  private startup(pin: Pin): void {
    if (pin.type === IRQ_TYPE_NONE) {
      this.core.log('warn', `irq ${pin.irq}: GPIO${pin.pin} started with no trigger type; it will not interrupt until one is set (IRQF_TRIGGER_* or irqSetIrqType)`);
    } else if (!pin.open) {
      this.open(pin); // may throw ("in use"): the request then fails with the pin untouched
    }
    pin.started = true;
    pin.masked = false;
    pin.pending = false;
  }

  private shutdown(pin: Pin): void {
    pin.started = false;
    pin.masked = true;
    pin.pending = false;
    this.close(pin);
  }

  /**
   * A debounced line is masked in software only: its debounce must go on seeing the raw edges, and a settled
   * change while masked is latched here and replayed at unmask, as any interrupt of a masked line.
   */
  private mask(pin: Pin): void {
    if (pin.masked) return;
    pin.masked = true;
    if (pin.open && pin.debounce === undefined) this.native.mask(pin.pin);
  }

  private unmask(pin: Pin): void {
    pin.masked = false;
    if (pin.open) this.native.unmask(pin.pin);
    if (!pin.pending) return;
    // A level line enters again by itself while its level holds; an edge line's latched edge is replayed once.
    if ((pin.type & IRQ_TYPE_LEVEL_MASK) !== 0) pin.pending = false;
    else this.queueReplay(pin);
  }

  /** Enters a pending edge once, after the current job (a replay and a retrigger queued together are one). */
  private queueReplay(pin: Pin): void {
    if (pin.replayQueued) return;
    pin.replayQueued = true;
    this.core.platform.defer(() => {
      pin.replayQueued = false;
      if (!pin.pending || !pin.started || pin.irq === 0) return;
      pin.pending = false;
      pin.replays++;
      this.counters.replays++;
      this.core.genericHandleIrq(pin.irq);
    });
  }

  private setType(pin: Pin, data: IrqData, type: number): void {
    if (NATIVE_TYPE[type] === undefined) throw new IrqError('EINVAL', `irq ${pin.irq}: GPIO${pin.pin} cannot take trigger ${triggerName(type)}`, pin.irq);
    if (this.wake.enabled(pin.pin)) this.wake.check(pin.irq, pin.pin, type);
    pin.type = type;
    if (pin.open) this.native.setType(pin.pin, this.nativeType(pin));
    else if (pin.started) this.open(pin);
    if (this.wake.enabled(pin.pin)) this.wake.enable(pin.irq, pin.pin, type);
    // An interrupt of the old type must not fire the new one.
    pin.pending = false;
    irqSetHandlerLocked(data, type & IRQ_TYPE_LEVEL_MASK ? handleLevelIrq : handleEdgeIrq);
  }

  // ---- line events and debounce ----

  /** The type the module is opened with: both edges while debounced (the debounce reads every edge). */
  private nativeType(pin: Pin): number {
    return NATIVE_TYPE[pin.debounce === undefined ? pin.type : IRQ_TYPE_EDGE_BOTH];
  }

  /** The reader's buffer; the line's event count so far (a debounced line's: its settled events). */
  private setLineEvents(pin: Pin, buffer: IrqLineEventBuffer | undefined): number {
    pin.lineEvents = buffer;
    pin.special = buffer !== undefined || pin.debounce !== undefined;
    if (pin.debounce !== undefined) return pin.settledSeqno;
    if (!pin.open) return 0;
    this.native.lineCounters(pin.pin, this.counterBuffer);
    return this.counterWords[NATIVE_LINE_SEQNO];
  }

  private setDebounce(pin: Pin, periodUs: number): void {
    pin.debounce = replaceDebounce(pin.debounce, periodUs, {
      platform: this.core.platform,
      level: () => this.level(pin.pin) ?? 0,
      settled: (level, timeUs) => this.settled(pin, level, timeUs),
    }, pin.irq, this.name);
    pin.special = pin.lineEvents !== undefined || pin.debounce !== undefined;
    // An edge latched before the switch was made under the other rule.
    pin.pending = false;
    if (!pin.open) return;
    if (pin.type !== IRQ_TYPE_NONE) this.native.setType(pin.pin, this.nativeType(pin));
    // A masked line is masked in the hardware only while it is not debounced (mask).
    if (!pin.masked) return;
    if (pin.debounce === undefined) this.native.mask(pin.pin);
    else this.native.unmask(pin.pin);
  }
}
