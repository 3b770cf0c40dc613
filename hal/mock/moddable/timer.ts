/*
 * A fake of Moddable's `timer` module on a simulated clock, after three sources of the 8.2.3 SDK:
 * modules/base/timer/timer.js (the class), modTimer.c (the natives xs_timer_*, the host object and
 * xs_timer_callback) and timer/mc/timer.c (the timer list: modTimerAdd, modTimerReschedule, modTimersExecute,
 * modTimerRemove). What it reproduces:
 *
 * - Arguments. timer.js calls each native with all its declared parameters (`native("xs_timer_set")
 *   .call(this, callback, delay, repeat)`), so the natives always see argc 3 (set, schedule), 2 (repeat) or
 *   1 (clear): a missing delay or repeat is ToInt32(undefined) = 0. Hence `Timer.schedule(timer)` is a
 *   reschedule as a one-shot at the next turn, not the unschedule its native's `argc == 1` branch intends,
 *   and `Timer.clear()` is a clear of undefined. Numbers go through xsmcToInteger (ToInt32, modular); a
 *   symbol is a TypeError.
 * - The callback. xsmcToReference keeps any object, and a primitive as NULL, without complaint: the error
 *   comes when the timer fires ("call: not a function"), out of the event, where the board aborts
 *   (xsEndHost: fxAbort with xsUnhandledExceptionExit). It is called with `this` the global object and the
 *   timer as its one argument.
 * - Delays. Whole ms of modMilliseconds() (see ./time.ts): a timer fires once the ms count reaches
 *   now + delay, so up to 1 ms early measured in µs. A negative delay is due at once, like 0.
 *   modTimersExecute adds the repeat to the trigger before calling back (non-drifting); a repeat that is
 *   negative moves the trigger back, so such a timer fires on every turn of the loop.
 * - One-shots. After a one-shot's callback (repeat 0 at that moment) xs_timer_callback forgets the host
 *   object and clears its host data, and modTimersExecute frees the record: the object stays, but
 *   Timer.schedule on it throws SyntaxError "C: xsGetHostData: invalid host data" and Timer.clear ignores it.
 *   Rescheduling a timer from its own callback survives only with a repeat other than 0. (A one-shot whose
 *   callback was a primitive keeps its host data pointing at the freed record on the board; here
 *   Timer.schedule on it throws rather than write to freed memory.)
 * - Timer.schedule on an existing timer is modTimerReschedule: new trigger and repeat in the same record, no
 *   allocation; on a timer already scheduled it simply replaces the trigger. On something that is not a
 *   timer it throws SyntaxError "C: xsGetHostData: not a host object".
 * - Timer.clear: of a live timer, stops it for good (host data cleared; a clear from its own callback is
 *   safe, the record is freed after it returns); of anything else (a cleared or fired one-shot, undefined,
 *   a number), nothing.
 * - Timer.delay(ms): modDelayMilliseconds blocks the JavaScript thread: clock.spend(ms × 1000), ms as the
 *   uint32 the native takes.
 *
 * Each scheduled timer is one event of the clock at its trigger time: a timer due now runs after the events
 * already queued for now, which is the next turn of Moddable's loop. A timer still due after it fired
 * (behind its repeat, or a negative repeat) fires again 1 µs later, so that virtual time moves on.
 */
import type { SimTimer } from '../sim';
import { uptimeMs, type ModdableClock, type ModdableClockOptions } from './time';

/** xsmcToInteger: ToNumber, then ToInt32. */
function toInteger(value: unknown): number {
  if (typeof value === 'symbol') throw new TypeError('cannot coerce symbol to integer');
  if (typeof value === 'bigint') throw new TypeError('cannot coerce bigint to integer');
  return Number(value) | 0;
}

/** modTimerRecord and the script record modTimer.c keeps in its refcon. */
class TimerRecord {
  /** modMilliseconds() at which it is due, unwrapped. */
  triggerMs: number;
  /** repeatInterval, as modTimerGetSecondInterval returns it (an int). */
  repeatMs: number;
  useCount = 1;
  /** In the timer list (not freed). */
  listed = true;
  /** kTimerFlagUnscheduled: set by modTimerRemove while a callback still uses the record. */
  unscheduled = false;
  event: SimTimer | undefined = undefined;
  /** The script record's callback: undefined is NULL (a primitive was given, or the timer was cleared). */
  callback: object | undefined;
  readonly host: Host;
  /** Bound once, so that an event allocates no closure of ours. */
  readonly fire: () => void;

  constructor(triggerMs: number, repeatMs: number, callback: object | undefined, fire: (r: TimerRecord) => void) {
    this.triggerMs = triggerMs;
    this.repeatMs = repeatMs;
    this.callback = callback;
    this.host = new Host(this);
    this.fire = () => fire(this);
  }
}

/** The host object the JavaScript side holds; its host data is the record until a clear or a one-shot's end. */
class Host {
  #data: TimerRecord | undefined;

  constructor(data: TimerRecord) {
    this.#data = data;
  }

  /** xsGetHostData: the record, undefined once cleared, or null for a value that is no timer at all. */
  static dataOf(value: unknown): TimerRecord | undefined | null {
    return typeof value === 'object' && value !== null && #data in value ? (value as Host).#data : null;
  }

  static clearData(host: Host): void {
    host.#data = undefined;
  }
}

/** A timer as the fake hands it out: opaque, like Moddable's host object. */
export type ModdableTimerHost = Host;

/** Counters of the native timer list (modInstrumentation's Timers is `live`). */
export interface FakeTimerStats {
  /** Records allocated (modTimerAdd: one c_malloc each). */
  readonly created: number;
  /** Records in the list now. */
  readonly live: number;
  /** Callbacks run. */
  readonly fired: number;
  /** modTimerReschedule calls (Timer.schedule). */
  readonly rescheduled: number;
  /** Timers stopped by Timer.clear. */
  readonly cleared: number;
}

/** Moddable's callback: called with `this` the global object and the timer. */
export type ModdableTimerCallback = (timer: ModdableTimerHost) => void;

/**
 * The fake module: Moddable's Timer class (every static of timer.js, as @moddable/typings declares them),
 * plus counters for tests. It fits hal/esp32's ModdableTimer, what createEsp32Platform takes.
 */
export interface FakeModdableTimer {
  set(callback: ModdableTimerCallback, delay?: number, repeat?: number): ModdableTimerHost;
  repeat(callback: ModdableTimerCallback, delay: number): ModdableTimerHost;
  schedule(timer: ModdableTimerHost, delay?: number, repeat?: number): void;
  clear(timer: ModdableTimerHost | undefined | null): void;
  delay(ms: number): void;
  readonly stats: FakeTimerStats;
}

export function createTimer(clock: ModdableClock, options: ModdableClockOptions = {}): FakeModdableTimer {
  const startMs = options.startMs ?? 0;
  const stats = { created: 0, live: 0, fired: 0, rescheduled: 0, cleared: 0 };

  const arm = (r: TimerRecord, minDelayUs: number): void => {
    if (r.event !== undefined) clock.cancel(r.event);
    const wait = (r.triggerMs - startMs) * 1000 - clock.now();
    r.event = clock.after(wait > minDelayUs ? wait : minDelayUs, r.fire);
  };

  /** modTimerRemove: unlisted (and its event dropped) once no callback of it is running. */
  const remove = (r: TimerRecord): void => {
    if (!r.listed) return;
    r.unscheduled = true;
    if (--r.useCount > 0) return;
    r.listed = false;
    stats.live--;
    if (r.event !== undefined) clock.cancel(r.event);
    r.event = undefined;
  };

  /** One timer's turn in modTimersExecute, with xs_timer_callback inside it. */
  const fire = (r: TimerRecord): void => {
    r.event = undefined;
    if (!r.listed || r.unscheduled) return;
    r.triggerMs += r.repeatMs;
    r.useCount++;
    stats.fired++;
    const callback = r.callback;
    if (typeof callback !== 'function') throw new TypeError('call: not a function');
    (callback as (timer: Host) => void).call(globalThis, r.host);
    // xs_timer_callback: a one-shot (repeat 0 now) whose callback is still set loses its host data.
    if (r.callback !== undefined && r.repeatMs === 0) Host.clearData(r.host);
    // modTimersExecute: free a one-shot, or a record cleared during its callback.
    if (--r.useCount <= 0 || r.repeatMs === 0) {
      remove(r);
      return;
    }
    if (!r.unscheduled && r.event === undefined) arm(r, 1);
  };

  const create = (callback: unknown, interval: number, repeat: number): Host => {
    const ref = (typeof callback === 'object' && callback !== null) || typeof callback === 'function' ? (callback as object) : undefined;
    const r = new TimerRecord(uptimeMs(clock, startMs) + interval, repeat, ref, fire);
    stats.created++;
    stats.live++;
    arm(r, 0);
    return r.host;
  };

  const Timer: FakeModdableTimer = {
    set(callback: ModdableTimerCallback, delay?: number, repeat?: number): Host {
      return create(callback, toInteger(delay), toInteger(repeat));
    },
    repeat(callback: ModdableTimerCallback, delay: number): Host {
      const interval = toInteger(delay);
      return create(callback, interval, interval);
    },
    schedule(timer: Host, delay?: number, repeat?: number): void {
      const r = Host.dataOf(timer);
      if (r === null) throw new SyntaxError('C: xsGetHostData: not a host object');
      if (r === undefined) throw new SyntaxError('C: xsGetHostData: invalid host data');
      if (!r.listed) throw new Error('Timer.schedule: the timer record was freed (a one-shot whose callback was not an object): undefined behaviour on the board');
      const interval = toInteger(delay);
      const again = toInteger(repeat);
      stats.rescheduled++;
      r.triggerMs = uptimeMs(clock, startMs) + interval;
      r.repeatMs = again;
      r.unscheduled = false;
      arm(r, 0);
    },
    clear(timer: Host | undefined | null): void {
      const r = Host.dataOf(timer);
      if (r === null || r === undefined) return;
      stats.cleared++;
      r.callback = undefined;
      remove(r);
      Host.clearData(r.host);
    },
    delay(ms: number): void {
      const wait = toInteger(ms) >>> 0;
      if (clock.spend === undefined) throw new Error('Timer.delay: this clock cannot spend time');
      clock.spend(wait * 1000);
    },
    get stats(): FakeTimerStats {
      return { ...stats };
    },
  };
  return Object.freeze(Timer);
}
