/*
 * The core's Platform on the board, over Moddable's `time` and `timer` modules. Both are injected so the
 * same code runs in host tests; firmware/main passes the real ones:
 *
 *   import Time from "time"; import Timer from "timer";
 *   const core = new IrqCore({ platform: createEsp32Platform({ Time, Timer }) });
 */
import type { Platform } from '../../firmware/irq';
import type { ModdableTime, ModdableTimer } from './io-types';

export interface Esp32PlatformOptions<H = unknown> {
  Time: ModdableTime;
  Timer: ModdableTimer<H>;
}

/** What setTimer returns: Moddable's timer, and whether it already ran (a fired one-shot is not cleared). */
interface TimerHandle<H> {
  timer: H | undefined;
  done: boolean;
}

/** Milliseconds to wait for a delay in µs: rounded up, so a timer never fires early; at least 0. */
export function delayUsToMs(delayUs: number): number {
  return delayUs > 0 ? Math.ceil(delayUs / 1000) : 0;
}

/**
 * now(): Time.microseconds (esp_timer_get_time) when the build includes Moddable's microseconds module,
 * else Time.ticks × 1000. The choice is made once, here, so the clock never switches source. Time.ticks is
 * a 32-bit millisecond count that wraps (after about 24.8 days as a signed integer); the differences are
 * taken modulo 2^32 so now() keeps increasing across the wrap.
 *
 * defer(cb): Timer.set(cb, 0), which runs at the next turn of Moddable's event loop, after the messages
 * already queued (an onReadable delivery posted by the GPIO ISR among them).
 *
 * setTimer/clearTimer: Timer.set with the delay in ms rounded up, and Timer.clear for one not yet fired.
 */
export function createEsp32Platform<H>(options: Esp32PlatformOptions<H>): Platform {
  const { Time, Timer } = options;
  if (Time === undefined || Timer === undefined || typeof Timer.set !== 'function' || typeof Timer.clear !== 'function') {
    throw new TypeError('createEsp32Platform needs { Time, Timer } from Moddable\'s "time" and "timer" modules');
  }
  let now: () => number;
  if (typeof Time.microseconds === 'number') {
    now = () => Time.microseconds as number;
  } else {
    let lastTicks = Time.ticks | 0;
    let ms = lastTicks;
    now = () => {
      const ticks = Time.ticks | 0;
      ms += (ticks - lastTicks) | 0;
      lastTicks = ticks;
      return ms * 1000;
    };
  }
  return Object.freeze({
    now,
    defer(cb: () => void): void {
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
  });
}
