/*
 * A fake of Moddable's `microseconds` module (modules/base/microseconds/): its manifest preloads
 * microseconds.js, which imports Time and adds an enumerable `microseconds` getter to it with
 * Object.defineProperties; on the ESP32 the getter is xs_time_microseconds, (number) esp_timer_get_time():
 * µs since boot, 64-bit, so it does not wrap. Without the module in the build Time has no such property,
 * which is how createEsp32Platform tells the two builds apart.
 */
import type { ModdableClock } from './time';

/** What microseconds.js does to Time: `Time.microseconds`, the clock's µs since boot (`startMs` its uptime at 0). */
export function defineMicroseconds(Time: object, clock: ModdableClock, startMs = 0): void {
  Object.defineProperties(Time, {
    microseconds: {
      enumerable: true,
      get: (): number => startMs * 1000 + clock.now(),
    },
  });
}
