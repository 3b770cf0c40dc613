/*
 * The GPIO irq_chips of this project, as the contract (gpio-chip.contract.test.ts) meets them: each kind boots
 * on the simulated board (hal/mock/board.ts, hardware only) with the layers it ships with, and hands the suite
 * what a driver author has (the core, gpio_to_irq) plus what a test bench has (the pads' wires, the hardware's
 * counters). One ChipUnderTest per kind; the suite runs every behaviour over each of CHIP_KINDS.
 *
 * Two kinds: the DigitalBank chip (hal/esp32/gpio.ts over Moddable's ECMA-419 DigitalBank, here its fake over
 * the ESP32 GPIO peripheral model) and the native chip (hal/esp32/native-gpio.ts over native/gpio-irq's C, built
 * for the host, on the same peripheral through ESP-IDF's driver twin).
 */
import type { IrqCore, IrqCoreOptions, LogLevel } from '../../firmware/irq';
import type { Esp32PinMode } from '../../hal/esp32/gpio';
import type { Esp32WakeSources } from '../../hal/esp32/wake';
import { bootSimBoard, type BootedBoard } from '../../hal/mock/boot';
import { bootNativeSimBoard } from '../../hal/mock/native/boot';
import type { I2cBus } from '../../hal/mock/i2c';
import type { Simulator, SimulatorCpuCost } from '../../hal/mock/sim';
import type { Net, OpenDrainDriver, PushPullDriver } from '../../hal/mock/wire';
import type { LogEntry } from '../helpers/fake-chip';

/** The input a pin is opened with: no pull (an external resistor, or a push-pull device), pull-up, pull-down. */
export type ChipPull = 'none' | 'up' | 'down';

export interface ChipBootOptions {
  /** Virtual CPU cost of a hardirq and of a thread burst (the board's default when absent). */
  cpu?: SimulatorCpuCost;
  /** µs from an edge to its hardirq on the JavaScript thread (the message latency): 0 by default. */
  latencyUs?: number;
  /** IrqCore options other than the platform and the log. */
  core?: Omit<IrqCoreOptions, 'platform' | 'log'>;
}

/** What a chip kind can and cannot know or do: the suite asserts each side of every difference. */
export interface ChipCapabilities {
  /**
   * The chip tells the core when each edge happened (genericHandleIrq's edgeUs), so irqLatency's edgeToHardirq
   * measures from the edge. Without it the core cannot tell, and records no edge latency.
   */
  readonly edgeTimes: boolean;
  /**
   * Every interrupt of a line reaches the chip as its own event, so its line events are exact (IrqLineEvents.exact):
   * the native chip's ISR sees each; the DigitalBank chip gets one bit for however many edges came before its
   * delivery, and marks its events inexact.
   */
  readonly exactEvents: boolean;
}

/** The pins of the board's chip the suite uses, by what they are for. */
export interface ChipPins {
  /**
   * Ordinary GPIOs, at least four: valid, not flash, with pulls, usable as inputs, not the board's I2C pins,
   * nothing to warn about. ordinary[0] can also wake the chip (wake tests use it).
   */
  readonly ordinary: readonly number[];
  /** GPIO numbers the chip does not have (gpio_to_irq refuses them with EINVAL). */
  readonly missing: readonly number[];
  /** A pin the SPI flash owns (refused with EBUSY), if the chip has one. */
  readonly flash?: number;
  /** A pin with no internal pulls (a pull is EINVAL, plain input is fine), if the chip has one. */
  readonly noPulls?: number;
  /** A pin that cannot wake the chip (irqSetIrqWake is ENOSYS), if the chip has one. */
  readonly noWake?: number;
}

/** A chip kind booted on a fresh simulated board, with one IrqCore whose log is collected. */
export interface BootedChip {
  readonly core: IrqCore;
  readonly sim: Simulator;
  /** The board's I2C bus, for device models that sit on it. */
  readonly i2c: I2cBus;
  /** What the core logged. */
  readonly logs: readonly LogEntry[];
  /** gpio_to_irq, the pin opened with `pull` ('none' by default) once its line is requested. */
  irq(pin: number, pull?: ChipPull): number;
  /** The wire on a pad, to connect device models to. */
  net(pin: number): Net;
  /** A push-pull output of a test device on the pin, driving `level` from now on. */
  output(pin: number, level: 0 | 1): PushPullDriver;
  /** A device's open-drain INT output on the pin, which the board pulls up with a resistor. */
  openDrain(pin: number, owner: string): OpenDrainDriver;
  /**
   * Edges of an edge line of one edge (rising or falling) that reached no handler because a layer below the
   * core folded them into another interrupt (the peripheral's status latch, the native layer, the chip's
   * software latch). No software sees them: a test bench counts them.
   */
  merged(pin: number): number;
  /** Raw edges the chip's debounce of the pin swallowed (pinInfo's bounces). */
  bounces(pin: number): number;
  /** The level the pin wakes the chip on, once it is a wake source; undefined while it is none. */
  wakeLevel(pin: number): 0 | 1 | undefined;
  /** Another IO object takes the pin (a driver's Digital, say); call the result to let it go. */
  holdElsewhere(pin: number): () => void;
}

export interface ChipUnderTest {
  /** The kind's name in the suite's titles. */
  readonly kind: string;
  readonly can: ChipCapabilities;
  readonly pins: ChipPins;
  boot(options?: ChipBootOptions): BootedChip;
}

const PULL_MODE = { none: 'input', up: 'pullup', down: 'pulldown' } as const;

/** What both kinds boot on: the board's layers, and the chip's gpio_to_irq, pin info and wake sources. */
interface BootedLayers {
  readonly core: IrqCore;
  readonly sim: Simulator;
  readonly i2c: I2cBus;
  readonly provider: BootedBoard['provider'];
  pin(n: number): Net;
  readonly gpio: {
    gpioToIrq(pin: number, mode?: Esp32PinMode): number;
    wakeSources(): Esp32WakeSources;
    pinInfo(pin: number): { readonly bounces: number };
  };
}

/** The test bench's view of a booted kind; `merged` is what the kind's layers below the core fold. */
function benchOf(booted: BootedLayers, logs: readonly LogEntry[], merged: (pin: number) => number): BootedChip {
  const { gpio } = booted;
  const DigitalBank = booted.provider.device.io.DigitalBank;
  return Object.freeze({
    core: booted.core,
    sim: booted.sim,
    i2c: booted.i2c,
    logs,
    irq: (pin: number, pull: ChipPull = 'none') => gpio.gpioToIrq(pin, PULL_MODE[pull]),
    net: (pin: number) => booted.pin(pin),
    output(pin: number, level: 0 | 1): PushPullDriver {
      const out = booted.pin(pin).pushPull(`test device on GPIO${pin}`);
      out.drive(level);
      return out;
    },
    openDrain(pin: number, owner: string): OpenDrainDriver {
      const net = booted.pin(pin);
      net.setPull('up');
      return net.openDrain(owner);
    },
    merged,
    bounces: (pin: number) => gpio.pinInfo(pin).bounces,
    wakeLevel: (pin: number) => gpio.wakeSources().gpio.find((source) => source.pin === pin)?.level,
    holdElsewhere(pin: number): () => void {
      const held = new DigitalBank({ pins: 1 << (pin & 31), bank: pin >> 5, mode: DigitalBank.Input });
      return () => held.close();
    },
  });
}

/** The boot options both kinds take from the suite, with the core's log collected into `logs`. */
function bootOptions(options: ChipBootOptions, logs: LogEntry[]) {
  return {
    seed: 7, cpu: options.cpu, latencyUs: options.latencyUs, core: options.core,
    log: (level: LogLevel, message: string) => void logs.push({ level, message }),
  };
}

/**
 * The DigitalBank chip on the original ESP32: Esp32Gpio (hal/esp32/gpio.ts) as bootSimBoard boots it, over the
 * fake DigitalBank. On the board Moddable's digitalbank reports no edge times; the fake does, and bootSimBoard
 * hands them to the chip (its edgeTime option), so here it knows them.
 */
export const digitalBankChip: ChipUnderTest = Object.freeze({
  kind: 'DigitalBank chip (Esp32Gpio over ECMA-419 DigitalBank)',
  can: Object.freeze({ edgeTimes: true, exactEvents: false }),
  pins: Object.freeze({
    // RTC GPIOs first (ext1 wake), then others; none of them is 21/22 (I2C), 16/17 (PSRAM) or 1/3 (UART0).
    ordinary: Object.freeze([4, 12, 13, 14, 15, 25, 26, 27, 18, 19]),
    missing: Object.freeze([-1, 20, 24, 28, 31, 40, 1.5]),
    flash: 6,
    noPulls: 34,
    noWake: 5,
  }),
  boot(options: ChipBootOptions = {}): BootedChip {
    const logs: LogEntry[] = [];
    const booted = bootSimBoard(bootOptions(options, logs));
    const { gpio, provider } = booted;
    return benchOf(booted, logs, (pin) => provider.fakes.digital.coalesced(pin) + gpio.pinInfo(pin).coalesced);
  },
});

/**
 * The native chip on the original ESP32: Esp32NativeGpio (hal/esp32/native-gpio.ts) over the native module's C
 * (native/gpio-irq) built for the host, as bootNativeSimBoard boots it. Its ISR takes every edge's time.
 */
export const nativeChip: ChipUnderTest = Object.freeze({
  kind: 'native chip (Esp32NativeGpio over native/gpio-irq)',
  can: Object.freeze({ edgeTimes: true, exactEvents: true }),
  pins: digitalBankChip.pins,
  boot(options: ChipBootOptions = {}): BootedChip {
    const logs: LogEntry[] = [];
    const booted = bootNativeSimBoard(bootOptions(options, logs));
    const { gpio, board } = booted;
    // The peripheral's status latch; edges it held while the ISR had masked the pin, cleared by the unmask's
    // gpio_intr_enable (folded into the interrupt the ISR reported, which the chip replays); the ring's drops.
    return benchOf(booted, logs, (pin) => board.gpio.coalesced(pin) + board.gpio.discarded(pin) + gpio.pinInfo(pin).dropped);
  },
});

/** Every GPIO irq_chip kind of the project. */
export const CHIP_KINDS: readonly ChipUnderTest[] = Object.freeze([digitalBankChip, nativeChip]);
