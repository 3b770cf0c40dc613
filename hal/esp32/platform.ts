/*
 * The core's Platform on the board, over Moddable's `time` and `timer` modules. Both are injected so the
 * same code runs in host tests (hal/mock/moddable/ has fakes of both); firmware/main passes the real ones:
 *
 *   import Time from "time"; import Timer from "timer";
 *   const core = new IrqCore({ platform: createEsp32Platform({ Time, Timer, log }), log });
 */
import type { IrqLog, Platform, PlatformDeferred } from '../../firmware/irq';
import type { ModdableTime, ModdableTimer } from './io-types';

export interface Esp32PlatformOptions<H = unknown> {
  Time: ModdableTime;
  Timer: ModdableTimer<H>;
  /** Told once, at creation, which clock now() reads (the core's log, typically). */
  log?: IrqLog;
}

/** What setTimer returns: Moddable's timer, and whether it already ran (a fired one-shot is not cleared). */
interface TimerHandle<H> {
  timer: H | undefined;
  done: boolean;
}

/**
 * The repeat interval (ms) of a deferred call's timer while it is idle. Never 0: modTimer.c removes a timer
 * whose repeat is 0 once its callback returns (and the timer.js layer drops its host data), so it could not
 * be re-armed. It cannot be unscheduled either: Timer.schedule(timer) with one argument reaches the native
 * with three (timer.js passes delay and repeat, undefined), which is a reschedule for now. So an idle timer
 * stays scheduled an hour ahead (modTimersNext's own longest sleep), and a fire while idle does nothing.
 */
const IDLE_REPEAT_MS = 60 * 60 * 1000;

/** Milliseconds to wait for a delay in µs: rounded up; at least 0. */
export function delayUsToMs(delayUs: number): number {
  return delayUs > 0 ? Math.ceil(delayUs / 1000) : 0;
}

/**
 * The getter of Time.microseconds itself, to be now(): one call per reading instead of a closure calling the
 * getter (on the board the getter is the native xs_time_microseconds, which reads esp_timer_get_time() and
 * ignores `this`). Used only if it is a getter that gives the clock when called on its own (without `this`);
 * else undefined, and now() reads the property.
 */
function microsecondsGetter(Time: ModdableTime): (() => number) | undefined {
  const get = Object.getOwnPropertyDescriptor(Time, 'microseconds')?.get;
  if (typeof get !== 'function') return undefined;
  try {
    const before = Time.microseconds as number;
    const value: unknown = get.call(undefined);
    return typeof value === 'number' && value >= before && value <= (Time.microseconds as number) ? (get as () => number) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * now(): Time.microseconds (esp_timer_get_time; now is then that getter itself where it can be, see
 * microsecondsGetter) when the build includes Moddable's microseconds module, else Time.ticks × 1000.
 * The choice is made once, here, so the clock never switches source, and logged
 * (option `log`): a build without the module has a 1 ms clock, which latency figures and storm budgets feel.
 * Time.ticks is a 32-bit millisecond count that wraps (after about 24.8 days as a signed integer); the
 * differences are taken modulo 2^32 so now() keeps increasing across the wrap.
 *
 * createDeferred(cb), used by each runner for its bursts: one Moddable timer made once (Timer.repeat), and
 * schedule() re-arms it with Timer.schedule(timer, 0, IDLE_REPEAT_MS), which is modTimerReschedule: it sets
 * the trigger time and repeat of the existing record and allocates nothing (modules/base/timer/mc/timer.c).
 * It runs at the next turn of Moddable's event loop, after the messages already queued (an onReadable
 * delivery posted by the GPIO ISR among them). Rescheduling from inside the callback is safe: modTimersExecute
 * moved the trigger before calling it and only removes a timer whose repeat is then 0.
 *
 * defer(cb): Timer.set(cb, 0), a new native timer record (malloc) and host object per call, collected after
 * it fires. Fine for rare paths (a software resend); per-burst work goes through createDeferred.
 *
 * setTimer/clearTimer: Timer.set with the delay in ms rounded up, and Timer.clear for one not yet fired.
 * Moddable's timers count whole milliseconds of modMilliseconds(), so one may fire up to 1 ms before
 * delayUs has passed on the µs clock; the watchdog re-arms for what is left.
 */
export function createEsp32Platform<H>(options: Esp32PlatformOptions<H>): Platform {
  const { Time, Timer, log } = options;
  if (Time === undefined || Timer === undefined || typeof Timer.set !== 'function' || typeof Timer.clear !== 'function') {
    throw new TypeError('createEsp32Platform needs { Time, Timer } from Moddable\'s "time" and "timer" modules');
  }
  let now: () => number;
  if (typeof Time.microseconds === 'number') {
    now = microsecondsGetter(Time) ?? ((): number => Time.microseconds as number);
    log?.('info', 'clock: Time.microseconds (esp_timer_get_time, 1 µs resolution)');
  } else {
    let lastTicks = Time.ticks | 0;
    let ms = lastTicks;
    now = () => {
      const ticks = Time.ticks | 0;
      ms += (ticks - lastTicks) | 0;
      lastTicks = ticks;
      return ms * 1000;
    };
    log?.('info', 'clock: Time.ticks × 1000 (1 ms resolution; add $(MODDABLE)/modules/base/microseconds/manifest.json to the build for 1 µs)');
  }
  const platform: Platform = {
    now,
    defer(cb: () => void): void {
      // The closure drops the timer argument Moddable passes, which cb does not expect.
      Timer.set(() => cb(), 0);
    },
    setTimer(cb: () => void, delayUs: number): unknown {
      const handle: TimerHandle<H> = { timer: undefined, done: false };
      handle.timer = Timer.set(() => {
        handle.done = true;
        cb();
      }, delayUsToMs(delayUs));
      return handle;
    },
    clearTimer(handle: unknown): void {
      const h = handle as TimerHandle<H> | undefined;
      if (h === undefined || h === null || typeof h !== 'object' || h.done || h.timer === undefined) return;
      h.done = true;
      Timer.clear(h.timer);
    },
  };
  if (typeof Timer.repeat === 'function' && typeof Timer.schedule === 'function') {
    const timers = Timer as Required<ModdableTimer<H>>;
    platform.createDeferred = (cb: () => void): PlatformDeferred => {
      let armed = false;
      // Called with the timer (ignored); a fire while idle is the hourly idle repeat.
      const fire = (): void => {
        if (!armed) return;
        armed = false;
        cb();
      };
      const timer = timers.repeat(fire, IDLE_REPEAT_MS);
      return Object.freeze({
        schedule(): void {
          if (armed) return;
          armed = true;
          timers.schedule(timer, 0, IDLE_REPEAT_MS);
        },
        cancel(): void {
          if (!armed) return;
          armed = false;
          timers.schedule(timer, IDLE_REPEAT_MS, IDLE_REPEAT_MS);
        },
      });
    };
  }
  return Object.freeze(platform);
}
