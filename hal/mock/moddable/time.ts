/*
 * A fake of Moddable's `time` module (modules/base/time/time.js, ESP32 natives in time/esp/modTime.c), on a
 * simulated clock. What the HAL reads of it is modelled after the sources:
 *
 * - `Time.ticks` is xs_time_ticks: xsmcSetInteger(modMilliseconds()). On the ESP32 modMilliseconds() is the
 *   FreeRTOS tick count in ms (xsHost.h: pdTICKS_TO_MS(xTaskGetTickCount()), CONFIG_FREERTOS_HZ 1000): whole
 *   milliseconds, a uint32 handed to JavaScript as an int32, so it goes negative after 2^31 ms and wraps
 *   after 2^32.
 * - `Time.delta(start, end)` is xs_time_delta: (end - start) on uint32s, as an int32. time.js passes both
 *   arguments to the native, so argc is always 2 and `Time.delta(start)` computes against end = 0, not
 *   against modMilliseconds() as the native's `argc > 1` test intends.
 * - `Time.microseconds` exists only when modules/base/microseconds is in the build (see ./microseconds.ts):
 *   `createTime(clock, { microseconds: true })`.
 *
 * Not modelled: Time.set, timezone and dst (wall-clock time; the HAL does not use them).
 * Time is frozen at the end, as the board's preload leaves it (the microseconds module's property included).
 */
import type { ModdableTime } from '../../esp32/io-types';
import type { SimTimer } from '../sim';
import { defineMicroseconds } from './microseconds';

/**
 * The clock the fakes run on: a `Simulator` fits (now, after, cancel, spend), and so does a workload's own
 * loop. Times are µs.
 */
export interface ModdableClock {
  now(): number;
  after(delayUs: number, cb: () => void): SimTimer;
  cancel(timer: SimTimer): void;
  /** Busy CPU time (Timer.delay); optional for a clock that never needs it. */
  spend?(us: number): void;
}

export interface ModdableClockOptions {
  /**
   * The uptime in ms at the clock's time 0 (default 0): modMilliseconds() and esp_timer_get_time() count
   * from boot, so a test can start just before the 32-bit wrap of ticks.
   */
  startMs?: number;
}

export interface ModdableTimeOptions extends ModdableClockOptions {
  /** Whether modules/base/microseconds is "in the build": adds Time.microseconds. */
  microseconds?: boolean;
}

/** The fake Time: ticks and delta always, microseconds when the module is in the build. */
export interface FakeModdableTime extends ModdableTime {
  delta(start: number, end?: number): number;
}

/** modMilliseconds() as an unwrapped count: the uptime in whole ms (the uint32 the board keeps is this mod 2^32). */
export function uptimeMs(clock: ModdableClock, startMs = 0): number {
  return startMs + Math.floor(clock.now() / 1000);
}

/** xsmcToUnsigned: ToNumber, then modulo 2^32. */
function toUnsigned(value: unknown): number {
  if (typeof value === 'symbol') throw new TypeError('cannot coerce symbol to unsigned');
  return Number(value) >>> 0;
}

export function createTime(clock: ModdableClock, options: ModdableTimeOptions = {}): FakeModdableTime {
  const startMs = options.startMs ?? 0;
  // A class per instance, as time.js's `class Time` with static accessors: the microseconds module then
  // defines its property on it before it is frozen.
  class Time {
    static get ticks(): number {
      return uptimeMs(clock, startMs) | 0;
    }

    static delta(start: number, end?: number): number {
      return (toUnsigned(end) - toUnsigned(start)) | 0;
    }
  }
  if (options.microseconds === true) defineMicroseconds(Time, clock, startMs);
  return Object.freeze(Time) as FakeModdableTime;
}
