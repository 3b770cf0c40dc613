/*
 * The shapes drivers, chips and HALs share with the core. Kept apart from the implementation so a HAL can
 * implement `IrqChip` or `Platform` without importing any of the core's state.
 */
import type { IrqReturn } from './constants';
// Type-only and against the file order (README, "The core"), unavoidably: struct irq_data points at its
// descriptor and domain, which hold their irq_data and ops (IrqData <-> IrqDesc, IrqDomainOps <-> IrqDomain).
import type { IrqDesc } from './desc';
import type { IrqDomain } from './domain';
import type { IrqLineEventBuffer } from './line-event';

/**
 * A deferred call made once and run many times (Platform.createDeferred): `schedule()` runs its callback once
 * after the current job, as `defer` would; a second `schedule()` before it ran changes nothing; `cancel()`
 * drops a run not yet started. Neither allocates, which `defer(cb)` cannot promise on every platform.
 */
export interface PlatformDeferred {
  schedule(): void;
  cancel(): void;
}

/** What the core needs from the engine: a microsecond clock and a way to run code after the current job. */
export interface Platform {
  now(): number;
  /**
   * Run `cb` after the current job. May allocate per call (on the board a Moddable timer): the core uses it
   * on rare paths (a software resend on enable), and for every burst only on a platform without
   * createDeferred.
   */
  defer(cb: () => void): void;
  /**
   * Optional, for paths that defer on every interrupt (each runner's burst): a deferred call set up once,
   * whose schedule() allocates nothing (on the board one Moddable timer, re-armed with Timer.schedule).
   * Without it the runner calls defer(burst) per burst.
   */
  createDeferred?(cb: () => void): PlatformDeferred;
  /**
   * Optional one-shot timer, for the thread watchdog (Moddable's Timer.set, the simulator's after). Without
   * it the watchdog checks sleeping threads only when a runner burst ends.
   */
  setTimer?(cb: () => void, delayUs: number): unknown;
  /**
   * Optional one-shot timer for a background check that runs as long as the system does (the ESP32 HAL's
   * silent-bank check) and must not by itself keep an otherwise idle system busy: a host simulator's
   * runUntilIdle returns when only these are left, as Node's unref lets a process end. Cleared with
   * clearTimer. A platform without it gets setTimer; on the board they are the same (Moddable's Timer.set).
   */
  setBackgroundTimer?(cb: () => void, delayUs: number): unknown;
  clearTimer?(handle: unknown): void;
}

export type LogLevel = 'info' | 'warn' | 'error';
export type IrqLog = (level: LogLevel, message: string) => void;

/** A primary (hardirq) handler. It runs synchronously inside `genericHandleIrq` and must not return a Promise. */
export type IrqHandler<D = unknown> = (irq: number, devId: D) => IrqReturn;
/** A thread function. It may be synchronous or return a Promise ("may sleep"). */
export type IrqThreadFn<D = unknown> = (irq: number, devId: D) => IrqReturn | Promise<IrqReturn>;
/** A flow handler (handleLevelIrq, handleEdgeIrq, a chained demultiplexer, ...). */
export type IrqFlowHandler = (desc: IrqDesc) => void;

/** The per-line data a chip operation receives: the kernel's `struct irq_data`. */
export interface IrqData {
  readonly irq: number;
  /** The line's number inside its domain (its pin, its bit); equals `irq` for lines outside any domain. */
  hwirq: number;
  chip: IrqChip | undefined;
  chipData: unknown;
  domain: IrqDomain | undefined;
  /** The trigger type last set through the chip (an IRQ_TYPE_* value). */
  triggerType: number;
  /** The descriptor, for chips that switch the flow handler when the type changes (irqSetHandlerLocked). */
  readonly desc: IrqDesc;
}

/**
 * An interrupt controller, the kernel's `struct irq_chip`. Every operation is optional; the core falls back
 * as the kernel does (no irqDisable: lazy disable; no irqRetrigger: software resend; no irqMaskAck: irqMask
 * then irqAck) and throws ENOSYS where a call cannot be done without one (irqSetIrqType, irqSetIrqWake).
 * An operation that refuses throws; the core reports it as an IrqError naming the irq.
 */
export interface IrqChip {
  readonly name: string;
  /** IRQCHIP_* bits. */
  readonly flags?: number;
  irqStartup?(data: IrqData): void;
  irqShutdown?(data: IrqData): void;
  irqEnable?(data: IrqData): void;
  irqDisable?(data: IrqData): void;
  irqAck?(data: IrqData): void;
  irqMask?(data: IrqData): void;
  irqMaskAck?(data: IrqData): void;
  irqUnmask?(data: IrqData): void;
  irqEoi?(data: IrqData): void;
  irqSetType?(data: IrqData, type: number): void;
  irqSetWake?(data: IrqData, on: boolean): void;
  /** Re-raise the interrupt in hardware. Return false when it cannot, and the core resends in software. */
  irqRetrigger?(data: IrqData): boolean;
  /** Route the line to a CPU (an ESP32 core); the line's threads move to that CPU's runner as well. */
  irqSetAffinity?(data: IrqData, cpu: number): void;
  /**
   * Slow-bus chips (I2C expanders): collect changes between these two and write them out in the second,
   * which may return a promise for the bus transfer. The core does not wait for it where the kernel's
   * caller would sleep (enableIrq is synchronous here); synchronizeIrq, disableIrq and freeIrq do wait for
   * it, and a rejection is logged and counted in the line's errors.
   */
  irqBusLock?(data: IrqData): void;
  irqBusSyncUnlock?(data: IrqData): void | Promise<void>;
  /**
   * Beyond the kernel's irq_chip (gpiolib-cdev's line events, line-event.ts): write each interrupt of the line
   * into `buffer` as an event (IrqLineEventBuffer.push) from now on, or stop with undefined. Returns the line's
   * sequence number so far (its next event is numbered after it).
   */
  irqSetLineEvents?(data: IrqData, buffer: IrqLineEventBuffer | undefined): number;
  /**
   * gpiolib's debounce (gpio_set_debounce, cdev's debounce_period_us): enter the line only for a level that
   * held `periodUs` after its last edge, with the settle time as the event's time; 0 turns it off. Refuses
   * (throws) a level-triggered line.
   */
  irqSetDebounce?(data: IrqData, periodUs: number): void;
  /** What the chip lost of the line: events dropped before they reached the core, edges it merged into one. */
  irqLostEvents?(data: IrqData): IrqLostEvents;
}

/** IrqChip.irqLostEvents: the interrupt table's DROPPED and MERGED (with the core's own merges). */
export interface IrqLostEvents {
  /** NaN where the chip cannot know (an edge lost before it reached the chip leaves no trace). */
  readonly dropped: number;
  readonly merged: number;
}

/** A line's budget of CPU time and the poll period of a line over it (storm.ts, IrqCoreOptions.storm). */
export interface IrqStormOptions {
  /** The share of a window's time one line may take before it is polled, in percent. */
  cpuPercent: number;
  windowUs: number;
  /** The poll period of a polled line, µs. */
  pollUs: number;
}

/** The kernel's `struct irq_domain_ops`, reduced to what a linear domain uses. */
export interface IrqDomainOps<H = unknown> {
  /** Set up a new mapping: typically irqSetChipAndHandler and irqSetChipData for `virq`. */
  map?(domain: IrqDomain<H>, virq: number, hwirq: number): void;
  unmap?(domain: IrqDomain<H>, virq: number): void;
}
