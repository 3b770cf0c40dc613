/*
 * The native GPIO interrupt module as JavaScript sees it: the functions of native/gpio-irq/gpio_irq_esp32.c
 * (on the board, through native(): native-gpio-board.ts) or of its host build (hal/mock/native/gpio-irq-host.ts,
 * the same C on the simulated board). The numbers are gpio_irq.h's.
 */

/** Words per event in the buffer read() fills: time low, time high, seqno, line seqno, info. */
export const NATIVE_EVENT_WORDS = 5;
/** Events the module's ring holds (GPIO_IRQ_RING_SIZE): read() with a buffer this large always empties it. */
export const NATIVE_RING_SIZE = 64;
/** Words of the dropped-lines mask read() fills (GPIO_IRQ_MAX_PINS / 32). */
export const NATIVE_DROPPED_WORDS = 2;

/** Event ids (info bits 8-15): Linux's GPIO_V2_LINE_EVENT_RISING_EDGE / _FALLING_EDGE, then the levels. */
export const NATIVE_EVENT_RISING = 1;
export const NATIVE_EVENT_FALLING = 2;
export const NATIVE_EVENT_LEVEL_HIGH = 3;
export const NATIVE_EVENT_LEVEL_LOW = 4;

/** Pulls, numbered as ECMA-419's DigitalBank input modes. */
export const NATIVE_PULL_NONE = 0;
export const NATIVE_PULL_UP = 1;
export const NATIVE_PULL_DOWN = 2;
export const NATIVE_PULL_UP_DOWN = 3;

/** gpio_irq_counters' words. */
export const NATIVE_COUNTER_SEQNO = 0;
export const NATIVE_COUNTER_POSTS = 1;
export const NATIVE_COUNTER_POST_FAILURES = 2;
export const NATIVE_COUNTER_DROPPED = 3;
export const NATIVE_COUNTER_QUEUED = 4;
/** Lines whose drops wait for a read: a read is owed even with no event queued (their events were all dropped). */
export const NATIVE_COUNTER_DROPPED_LINES = 5;
export const NATIVE_COUNTERS = 6;

/** gpio_irq_line_counters' words. */
export const NATIVE_LINE_SEQNO = 0;
export const NATIVE_LINE_DROPPED = 1;
export const NATIVE_LINE_ISR_MASKS = 2;
export const NATIVE_LINE_COUNTERS = 3;

/**
 * The module. Errors are thrown: RangeError for a pin, type or pull it refuses or a line not open, Error
 * ("pin in use", "the GPIO driver refused") for the rest. Trigger types are gpio_int_type_t's (1 rising, 2 falling,
 * 3 both, 4 level low, 5 level high), which IRQ_TYPE_LEVEL_* are not: the chip maps them.
 */
export interface NativeGpioModule {
  /** Claims the pin, makes it an input with `pull` and enables its interrupt of `type`. */
  open(pin: number, type: number, pull: number): void;
  close(pin: number): void;
  setType(pin: number, type: number): void;
  /** Lazy: the ISR disables the pin's interrupt at the next one, which it still reports. */
  mask(pin: number): void;
  unmask(pin: number): void;
  level(pin: number): number;
  /** esp_timer_get_time: the clock of the events' times, µs. */
  now(): number;
  /**
   * Moves the queued events, oldest first, into `events` (NATIVE_EVENT_WORDS words each) and the lines with
   * drops since the last read into `dropped` (NATIVE_DROPPED_WORDS words); returns the number of events.
   */
  read(events: ArrayBuffer, dropped: ArrayBuffer): number;
  counters(out: ArrayBuffer): void;
  lineCounters(pin: number, out: ArrayBuffer): void;
  /**
   * The function each batch's message calls (undefined: none). It must not throw: on the board an exception
   * out of a message callback aborts the machine.
   */
  onReadable(callback: (() => void) | undefined): void;
}
