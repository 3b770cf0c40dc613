/*
 * Edge events for drivers: what the GPIO character device gives a user of a line request
 * (drivers/gpio/gpiolib-cdev.c, struct gpio_v2_line_event in include/uapi/linux/gpio.h): each interrupt of
 * the line as an event with its time, its edge (`id`), a sequence number across the chip (`seqno`) and one
 * of the line (`lineSeqno`), in a bounded buffer that drops the OLDEST event when full (linereq_put_event's
 * kfifo_skip), so a gap in lineSeqno shows what was lost.
 *
 * Where we differ from Linux: the reader is a driver's thread, not a process reading a file, so there is no
 * read(2) and no poll: the thread reads, without allocating, every event since its last read with `next()`
 * (a cursor over the buffer). Linux hands events only to user space; in the kernel a driver gets none. Here
 * a chip that reports them (IrqChip.irqSetLineEvents) writes them into the buffer as it takes the line's
 * interrupts, and the reader computes each event's gap (`missed`: the lineSeqno numbers skipped, events the
 * chip or this buffer dropped, or edges the chip knows were merged into one). A chip that cannot see every
 * edge (the DigitalBank chip: two edges before its delivery are one bit) marks its events `exact: false`; a
 * time it cannot know is NaN.
 *
 * One reader per line at a time (EBUSY for a second), bound to the action that asked for it: freeing that
 * action releases it. Nothing here runs unless a driver asked: a chip tests for its buffer once per event.
 */
import type { IrqAction, IrqDesc } from './desc';
import { IrqError } from './error';

/** Event ids, with gpio_v2_line_event_id's values for the edges. */
export const IRQ_LINE_EVENT_RISING_EDGE = 1;
export const IRQ_LINE_EVENT_FALLING_EDGE = 2;
/** Ours: an interrupt of a level line, asserted high or low (gpiolib-cdev has no level events). */
export const IRQ_LINE_EVENT_LEVEL_HIGH = 3;
export const IRQ_LINE_EVENT_LEVEL_LOW = 4;

/** Events a reader's buffer holds by default: gpiolib-cdev's 16 per line. */
export const IRQ_LINE_EVENTS_DEFAULT = 16;
/** The largest buffer a reader may ask for (an event is 40 bytes: 40 KB). */
export const IRQ_LINE_EVENTS_MAX = 1024;

/** Numbers per event in the buffer: time, id, seqno, line seqno, exact. */
const WORDS = 5;

/**
 * The buffer a chip writes a line's events into: handed to it by irqSetLineEvents, taken back with
 * undefined. A chip calls only push(); the driver reads through its IrqLineEvents.
 */
export class IrqLineEventBuffer {
  readonly capacity: number;
  /** Events dropped because the buffer was full (the oldest each time). */
  dropped = 0;
  private readonly words: Float64Array;
  /** Events written and read since the start; their difference is what waits (at most capacity). */
  private written = 0;
  private read = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.words = new Float64Array(capacity * WORDS);
  }

  /**
   * One event. `timestampUs` in the core's clock (NaN: the chip cannot know it); `exact` false when edges may
   * have merged into this event unseen. When the buffer is full the oldest event is dropped and counted.
   */
  push(timestampUs: number, id: number, seqno: number, lineSeqno: number, exact: boolean): void {
    if (this.written - this.read === this.capacity) {
      this.read++;
      this.dropped++;
    }
    const o = (this.written % this.capacity) * WORDS;
    const w = this.words;
    w[o] = timestampUs;
    w[o + 1] = id;
    w[o + 2] = seqno;
    w[o + 3] = lineSeqno;
    w[o + 4] = exact ? 1 : 0;
    this.written++;
  }

  /** Events waiting. */
  get length(): number {
    return this.written - this.read;
  }

  /** The offset of the oldest waiting event, taken out of the buffer; -1 when none waits. */
  shift(): number {
    if (this.read === this.written) return -1;
    return (this.read++ % this.capacity) * WORDS;
  }

  /** Word `i` (0..4) of the event at offset `o`. */
  at(o: number, i: number): number {
    return this.words[o + i];
  }
}

/**
 * A driver's reader of its line's events. Frozen: its state is in private fields, and it reaches nothing of
 * the core but its line's buffer. `next()` moves to the next event, oldest first, and the getters describe
 * it; read every event since the last run at the start of each thread run:
 *
 *   while (events.next()) if (events.id === IRQ_LINE_EVENT_FALLING_EDGE) pressedAt(events.timestampUs);
 */
export class IrqLineEvents {
  readonly irq: number;
  readonly #desc: IrqDesc;
  readonly #buffer: IrqLineEventBuffer;
  #offset = -1;
  #lineSeqno: number;
  #missed = 0;

  /** Made by irqRequestLineEvents; a driver never makes one. */
  constructor(desc: IrqDesc, buffer: IrqLineEventBuffer, lineSeqno: number) {
    this.irq = desc.irq;
    this.#desc = desc;
    this.#buffer = buffer;
    this.#lineSeqno = lineSeqno;
    Object.freeze(this);
  }

  /** Moves to the next event; false when none is left (then the getters describe nothing: NaN). */
  next(): boolean {
    const o = this.#buffer.shift();
    this.#offset = o;
    if (o < 0) return false;
    const lineSeqno = this.#buffer.at(o, 3);
    this.#missed = Math.max(0, lineSeqno - this.#lineSeqno - 1);
    this.#lineSeqno = lineSeqno;
    return true;
  }

  /** When the event happened, µs in the core's clock; NaN where the chip cannot know (the DigitalBank chip). */
  get timestampUs(): number {
    return this.#word(0);
  }

  /** IRQ_LINE_EVENT_RISING_EDGE, _FALLING_EDGE, _LEVEL_HIGH or _LEVEL_LOW. */
  get id(): number {
    return this.#word(1);
  }

  /** The event's number among every event the chip made, from 1. */
  get seqno(): number {
    return this.#word(2);
  }

  /** The event's number among its line's events, from 1. */
  get lineSeqno(): number {
    return this.#word(3);
  }

  /** Events of the line lost just before this one: dropped (by the chip or this buffer) or known merged. */
  get missed(): number {
    return this.#offset < 0 ? NaN : this.#missed;
  }

  /** False when edges may have merged into this event unseen (so `missed` may be short). */
  get exact(): boolean {
    return this.#word(4) === 1;
  }

  /** Events waiting to be read. */
  get pending(): number {
    return this.#buffer.length;
  }

  /** Events this reader's buffer dropped because it was full (they are in `missed` too). */
  get dropped(): number {
    return this.#buffer.dropped;
  }

  /** False once released (release(), or its action freed): no new event comes, what waits can still be read. */
  get open(): boolean {
    return this.#desc.lineEvents === this.#buffer;
  }

  /** Stop recording; the line can be given another reader. A second release does nothing. */
  release(): void {
    if (this.open) releaseLineEvents(this.#desc);
  }

  #word(i: number): number {
    return this.#offset < 0 ? NaN : this.#buffer.at(this.#offset, i);
  }
}

/**
 * irqRequestLineEvents: a reader of the line's events for the action with devId (EINVAL without one),
 * holding `capacity` events (1..IRQ_LINE_EVENTS_MAX, default 16). EBUSY while another reader holds the
 * line; ENOSYS on a chip that reports no events.
 */
export function requestLineEvents(desc: IrqDesc, action: IrqAction | undefined, capacity: number | undefined): IrqLineEvents {
  const irq = desc.irq;
  if (action === undefined) {
    throw new IrqError('EINVAL', `irq ${irq}: line events are asked for by a requested action; no action of the line has that devId`, irq);
  }
  const size = capacity ?? IRQ_LINE_EVENTS_DEFAULT;
  if (!Number.isInteger(size) || size < 1 || size > IRQ_LINE_EVENTS_MAX) {
    throw new IrqError('EINVAL', `irq ${irq}: a line-event buffer holds 1 to ${IRQ_LINE_EVENTS_MAX} events, not ${String(capacity)}`, irq);
  }
  if (desc.lineEvents !== undefined) {
    throw new IrqError('EBUSY', `irq ${irq}: "${desc.lineEventsOwner?.name ?? '?'}" already reads the line's events; release its reader first`, irq);
  }
  const chip = desc.irqData.chip;
  if (chip?.irqSetLineEvents === undefined) {
    throw new IrqError('ENOSYS', `irq ${irq}: chip ${chip?.name ?? '(none)'} reports no line events (no irqSetLineEvents)`, irq);
  }
  const buffer = new IrqLineEventBuffer(size);
  const lineSeqno = chip.irqSetLineEvents(desc.irqData, buffer);
  desc.lineEvents = buffer;
  desc.lineEventsOwner = action;
  return new IrqLineEvents(desc, buffer, lineSeqno);
}

/** The line's reader stops: its chip is told to write no more (release, and freeIrq of its action). */
export function releaseLineEvents(desc: IrqDesc): void {
  if (desc.lineEvents === undefined) return;
  desc.lineEvents = undefined;
  desc.lineEventsOwner = undefined;
  desc.irqData.chip?.irqSetLineEvents?.(desc.irqData, undefined);
}
