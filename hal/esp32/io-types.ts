/*
 * The shapes of the Moddable SDK classes the ESP32 HAL is given, typed structurally so the board's real
 * classes (`embedded:io/digitalbank`, `time`, `timer`) and the host fakes (hal/mock/ecma419/) both fit.
 *
 * Mode constants are opaque (`unknown`), as @moddable/typings declares them: the HAL only passes them back
 * to the constructor. `rises` and `falls` are part of the options here although @moddable/typings'
 * digitalbank.d.ts leaves them out: the ESP32 implementation (modules/io/digital/esp32/digitalbank.c) reads
 * both, and io.md documents them.
 */

/** The option bag of `new DigitalBank(options)` (ECMA-419 Digital Bank, Moddable's ESP32 port). */
export interface DigitalBankOptions {
  /** Bit mask of the pins, relative to `bank` (bit n is GPIO 32 × bank + n). */
  pins: number;
  /** DigitalBank.Input, InputPullUp, InputPullDown, InputPullUpDown, Output or OutputOpenDrain. */
  mode: unknown;
  /** 0 for GPIO 0-31, 1 for GPIO 32-39 (Moddable's kPinBanks is 2 on the ESP32). */
  bank?: number;
  /** Pins whose 0 → 1 transition calls onReadable (masked with `pins`). */
  rises?: number;
  /** Pins whose 1 → 0 transition calls onReadable (masked with `pins`). */
  falls?: number;
  /**
   * Called on the JavaScript thread with the bit mask of the pins that triggered since the last call: one
   * bit per pin, however many edges it saw in between.
   */
  onReadable?: (this: DigitalBankInstance, triggered: number) => void;
  /** Truthy: every pin is active-low (read and write invert, rises/falls swap). digitalbank.c's option. */
  activeLow?: boolean;
  /** Output modes: the level written before the pins become outputs. */
  initialValue?: number;
  format?: 'number';
}

export interface DigitalBankInstance {
  /** The levels of the bank's pins (input modes only), other bits 0. */
  read(): number;
  /** Output modes only. */
  write(value: number): void;
  /** Release the pins; a delivery still queued for this bank is dropped. */
  close(): void;
}

export interface DigitalBankConstructor {
  /**
   * `mode` is `never` here, not `unknown`: Moddable 8.2.3's own typings ($(MODDABLE)/typings, what its tsc uses
   * for an app) declare the mode constants and the option as `number`, @moddable/typings 5.6 (npm) as
   * `unknown`. A constructor taking `{ mode: never }` is what both real classes fit; the HAL passes back a
   * constant it read from the same class (`DigitalBank.InputPullUp`), so the value is always the right one.
   */
  new (options: DigitalBankOptions & { mode: never }): DigitalBankInstance;
  readonly Input: unknown;
  readonly InputPullUp: unknown;
  readonly InputPullDown: unknown;
  readonly InputPullUpDown: unknown;
  readonly Output: unknown;
  readonly OutputOpenDrain: unknown;
}

/** The option bag of `new Digital(options)`: one pin, `edge` a combination of Digital.Rising and Digital.Falling. */
export interface DigitalOptions {
  pin: number;
  mode: unknown;
  edge?: number;
  onReadable?: (this: DigitalInstance, triggered: number) => void;
  activeLow?: boolean;
  initialValue?: number;
  format?: 'number';
}

export interface DigitalInstance {
  read(): number;
  write(value: number): void;
  close(): void;
}

export interface DigitalConstructor {
  new (options: DigitalOptions): DigitalInstance;
  readonly Input: unknown;
  readonly InputPullUp: unknown;
  readonly InputPullDown: unknown;
  readonly InputPullUpDown: unknown;
  readonly Output: unknown;
  readonly OutputOpenDrain: unknown;
  readonly Rising: number;
  readonly Falling: number;
}

/**
 * What the GPIO HAL is given: `import DigitalBank from "embedded:io/digitalbank"` on the board, the fakes'
 * classes on the host. Only DigitalBank is used; Digital may be passed along for symmetry.
 */
export interface Esp32Io {
  readonly DigitalBank: DigitalBankConstructor;
  readonly Digital?: DigitalConstructor;
}

/** Moddable's `time` module (`import Time from "time"`), as far as the platform reads it. */
export interface ModdableTime {
  /** Milliseconds from modMilliseconds(), a 32-bit count that wraps. */
  readonly ticks: number;
  /** µs from esp_timer_get_time(), present once modules/base/microseconds is in the build. */
  readonly microseconds?: number;
}

/**
 * Moddable's `timer` module (`import Timer from "timer"`), as far as the platform uses it
 * (modules/base/timer/timer.js over modTimer.c). Moddable calls a callback with the timer as its argument;
 * the platform's callbacks take none and ignore it.
 */
export interface ModdableTimer<H = unknown> {
  /** A timer after `delay` ms (0: at the next turn of the event loop), then every `repeat` ms unless 0. */
  set(callback: () => void, delay?: number, repeat?: number): H;
  /**
   * A repeating timer. Optional here only so that minimal fakes fit: the real module always has it, and
   * without it (or schedule) the platform offers no createDeferred.
   */
  repeat?(callback: () => void, delay: number): H;
  /**
   * Re-arm an existing timer (modTimerReschedule: no allocation): fire `delay` ms from now, then every
   * `repeat` ms (0: once, after which the timer is gone). timer.js always passes three arguments to the
   * native, so in 8.2.3 `schedule(timer)` reschedules it as a one-shot at the next turn; it does not unschedule.
   */
  schedule?(timer: H, delay?: number, repeat?: number): void;
  clear(timer: H): void;
}
