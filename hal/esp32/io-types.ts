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
  new (options: DigitalBankOptions): DigitalBankInstance;
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

/** Moddable's `timer` module (`import Timer from "timer"`), as far as the platform uses it. */
export interface ModdableTimer<H = unknown> {
  /** A one-shot timer after `delay` ms (0: at the next turn of the event loop). */
  set(callback: () => void, delay?: number): H;
  clear(timer: H): void;
}
