/*
 * The native GPIO module's C (native/gpio-irq/gpio_irq.c, the same file the board builds) on the simulated
 * board: compiled here with the host twin of its platform glue (native/gpio-irq/host/gpio_irq_host.c) into a
 * shared library, loaded through koffi, and driven by the board's ESP32 GPIO peripheral through ESP-IDF's
 * GPIO driver twin (hal/mock/esp-idf/gpio.ts): the twin's ISR service calls the C ISR, which reads the time
 * and level, masks, pushes to the ring and posts into the XS task's message queue fake, whose delivery calls
 * the JavaScript chip (hal/esp32/native-gpio.ts) as on the board.
 *
 * Why koffi and not an XS host built with the module linked in: the simulated board, its peripheral and
 * the core under test run in Node (jest), and the C must be driven by them call by call; an FFI keeps the C
 * in the same process and the same simulated time, with no second engine to bridge. The xsmc glue
 * (gpio_irq_esp32.c) is what this leaves untested on the host; it is compiled, for RISC-V, by
 * `npm run build:native-cross`, and linked by `npm run check:moddable`.
 *
 * The library is built once per source content (build/out/native/, named by a hash of the sources), with
 * -Wall -Wextra -Werror, the first time a board needs it.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import koffi from 'koffi';
import { hasPulls, socPins } from '../../esp32/pins';
import type { NativeGpioModule } from '../../esp32/native-gpio-module';
import type { SimBoard } from '../board';
import type { FakeMessageQueue, FakePinRegistry } from '../ecma419/digitalbank';
import { espIdfGpio, type EspIdfGpio } from '../esp-idf/gpio';
import type { Pull } from '../wire';

/**
 * The checkout: the first directory up from the working directory that holds the C (jest, the bench and npm
 * scripts all run inside it; this module may be bundled elsewhere, so its own location says nothing).
 */
function checkoutRoot(): string {
  for (let dir = process.cwd(); ; dir = dirname(dir)) {
    if (existsSync(join(dir, SOURCES[0]))) return dir;
    if (dirname(dir) === dir) throw new Error(`gpio_irq host: ${SOURCES[0]} not found above ${process.cwd()}`);
  }
}
const SOURCES = ['native/gpio-irq/gpio_irq.c', 'native/gpio-irq/host/gpio_irq_host.c'];
const HEADERS = ['native/gpio-irq/gpio_irq.h', 'native/gpio-irq/gpio_irq_platform.h'];
/** The C's flags on the host: those the board's code must also pass. */
export const NATIVE_CFLAGS = ['-std=gnu11', '-O2', '-Wall', '-Wextra', '-Werror'];

/** Errors as gpio_irq.h returns them. */
const OK = 0;
const EIO = -5;
const EBUSY = -16;
const EINVAL = -22;

/** Builds the host library if this content was not built yet; returns its path. */
export function hostLibraryPath(): string {
  const ROOT = checkoutRoot();
  const hash = createHash('sha256');
  for (const file of [...SOURCES, ...HEADERS]) hash.update(readFileSync(join(ROOT, file)));
  hash.update(NATIVE_CFLAGS.join(' '));
  const dir = join(ROOT, 'build/out/native');
  const path = join(dir, `libgpio_irq-${hash.digest('hex').slice(0, 16)}.so`);
  if (existsSync(path)) return path;
  mkdirSync(dir, { recursive: true });
  // Built under a name of its own, then renamed: jest workers building at once each get a whole file.
  const temporary = `${path}.${process.pid}.tmp`;
  execFileSync('gcc', [...NATIVE_CFLAGS, '-shared', '-fPIC', '-o', temporary, ...SOURCES.map((f) => join(ROOT, f))], { stdio: 'pipe' });
  renameSync(temporary, path);
  return path;
}

/** What the host twin reaches on one simulated board. */
interface HostBoard {
  readonly idf: EspIdfGpio;
  readonly board: SimBoard;
  readonly queue: FakeMessageQueue;
  readonly registry: FakePinRegistry;
  readonly latencyUs: number;
  readonly host: unknown;
  /** Pulls to put back when a pin is detached (the DigitalBank fake's rule: the net's pull while open). */
  readonly restorePull: Map<number, Pull | undefined>;
  onReadable: (() => void) | undefined;
}

interface Library {
  readonly newHost: (board: number) => unknown;
  readonly freeHost: (host: unknown) => void;
  readonly moduleOf: (host: unknown) => unknown;
  readonly isr: (host: unknown, pin: number) => void;
  readonly lockErrors: (host: unknown) => number;
  readonly open: (irq: unknown, pin: number, type: number, pull: number) => number;
  readonly close: (irq: unknown, pin: number) => number;
  readonly setType: (irq: unknown, pin: number, type: number) => number;
  readonly mask: (irq: unknown, pin: number) => number;
  readonly unmask: (irq: unknown, pin: number) => number;
  readonly level: (irq: unknown, pin: number) => number;
  readonly read: (irq: unknown, out: Uint32Array, max: number, dropped: Uint32Array) => number;
  readonly counters: (irq: unknown, out: Uint32Array) => void;
  readonly lineCounters: (irq: unknown, pin: number, out: Uint32Array) => number;
  readonly strerror: (error: number) => string;
}

/**
 * The process's one copy of the loaded library and its boards. koffi's types and callbacks live in its native
 * addon, once per process, while jest loads this module anew for each test file in a worker: the state is kept
 * on the global object, so each copy of the module finds the library (and the callbacks their boards).
 */
interface HostState {
  /** Weakly: a board's twin lives as long as something can call into its C (see `released`). */
  readonly boards: Map<number, WeakRef<HostBoard>>;
  nextBoard: number;
  library: Library | undefined;
}
const STATE_KEY = Symbol.for('genirq.native.gpio-irq-host');
const state: HostState = ((globalThis as Record<symbol, unknown>)[STATE_KEY] as HostState | undefined) ??
  ((globalThis as Record<symbol, unknown>)[STATE_KEY] = { boards: new Map(), nextBoard: 1, library: undefined } as HostState);

function boardOf(id: number): HostBoard {
  const board = state.boards.get(id)?.deref();
  if (board === undefined) throw new Error(`gpio_irq host: no simulated board ${id}`);
  return board;
}

/** A call from C that must not throw through the FFI: errors become the C's error codes. */
function guarded(fn: () => number): number {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) return EINVAL;
    return EIO;
  }
}

function load(): Library {
  if (state.library !== undefined) return state.library;
  const lib = koffi.load(hostLibraryPath());
  // Anonymous types only: koffi's named types live in its native addon, once per process, and jest loads this
  // module anew for each test file, which would define them twice.
  const Host = koffi.pointer(koffi.opaque());
  const Module = koffi.pointer(koffi.opaque());
  const Words = koffi.out(koffi.pointer('uint32_t'));
  const NowUs = koffi.pointer(koffi.proto('double', ['int']));
  const GetLevel = koffi.pointer(koffi.proto('int', ['int', 'int']));
  const Attach = koffi.pointer(koffi.proto('int', ['int', 'int', 'int', 'int']));
  const SetType = koffi.pointer(koffi.proto('int', ['int', 'int', 'int']));
  const PinCall = koffi.pointer(koffi.proto('void', ['int', 'int']));
  const Post = koffi.pointer(koffi.proto('int', ['int']));
  const Ops = koffi.struct({
    now_us: NowUs, get_level: GetLevel, attach: Attach, detach: PinCall, set_type: SetType, intr_enable: PinCall,
    intr_disable: PinCall, post: Post,
  });
  // The C keeps one set of calls per process: the latest module's, whose boards are the live ones.
  lib.func('gpio_irq_host_set_ops', 'void', [koffi.pointer(Ops)])({
    now_us: koffi.register((id: number) => boardOf(id).board.sim.now(), NowUs),
    get_level: koffi.register((id: number, pin: number) => guarded(() => boardOf(id).idf.gpioGetLevel(pin)), GetLevel),
    attach: koffi.register((id: number, pin: number, type: number, pull: number) => guarded(() => attach(boardOf(id), pin, type, pull)), Attach),
    detach: koffi.register((id: number, pin: number) => {
      guarded(() => detach(boardOf(id), pin));
    }, PinCall),
    set_type: koffi.register((id: number, pin: number, type: number) => guarded(() => {
      boardOf(id).idf.gpioSetIntrType(pin, type);
      return OK;
    }), SetType),
    intr_enable: koffi.register((id: number, pin: number) => boardOf(id).idf.gpioIntrEnable(pin), PinCall),
    intr_disable: koffi.register((id: number, pin: number) => boardOf(id).idf.gpioIntrDisable(pin), PinCall),
    post: koffi.register((id: number) => {
      const board = boardOf(id);
      return board.queue.post(() => board.onReadable?.(), board.latencyUs) ? 0 : -1;
    }, Post),
  });
  state.library = {
    newHost: lib.func('gpio_irq_host_new', Host, ['int']),
    freeHost: lib.func('gpio_irq_host_free', 'void', [Host]),
    moduleOf: lib.func('gpio_irq_host_module', Module, [Host]),
    isr: lib.func('gpio_irq_host_isr', 'void', [Host, 'int']),
    lockErrors: lib.func('gpio_irq_host_lock_errors', 'uint32_t', [Host]),
    open: lib.func('gpio_irq_open', 'int', [Module, 'int', 'int', 'int']),
    close: lib.func('gpio_irq_close', 'int', [Module, 'int']),
    setType: lib.func('gpio_irq_set_type', 'int', [Module, 'int', 'int']),
    mask: lib.func('gpio_irq_mask', 'int', [Module, 'int']),
    unmask: lib.func('gpio_irq_unmask', 'int', [Module, 'int']),
    level: lib.func('gpio_irq_level', 'int', [Module, 'int']),
    read: lib.func('gpio_irq_read', 'uint32_t', [Module, Words, 'uint32_t', Words]),
    counters: lib.func('gpio_irq_counters', 'void', [Module, Words]),
    lineCounters: lib.func('gpio_irq_line_counters', 'int', [Module, 'int', Words]),
    strerror: lib.func('gpio_irq_strerror', 'const char *', ['int']),
  };
  return state.library;
}

/**
 * gpio_irq_platform_attach on the board (gpio_irq_esp32.c), on the twin: the pin-use rule (builtinIsPinFree),
 * direction and pull, the type, the ISR service (installed once; another installer is fine), the handler, which
 * enables the interrupt (gpio_isr_handler_add does), then builtinUsePin.
 */
function attach(board: HostBoard, pin: number, type: number, pull: number): number {
  const soc = socPins(board.board.soc);
  const bank = pin >> 5;
  const bit = 1 << (pin & 31);
  if (!Number.isInteger(pin) || pin < 0 || pin >= soc.gpioCount) return EINVAL;
  if (!board.registry.arePinsFree(bank, bit)) return EBUSY;
  const net = board.board.pin(pin);
  const wanted: Pull | undefined = pull === 1 ? 'up' : pull === 2 ? 'down' : undefined;
  if (wanted !== undefined && hasPulls(soc, pin)) {
    board.restorePull.set(pin, net.pull);
    net.setPull(wanted);
  }
  board.idf.gpioSetIntrType(pin, type);
  if (!board.idf.isrServiceInstalled) board.idf.gpioInstallIsrService();
  const lib = load();
  board.idf.gpioIsrHandlerAdd(pin, () => lib.isr(board.host, pin));
  board.registry.use(bank, bit);
  return OK;
}

function detach(board: HostBoard, pin: number): number {
  board.idf.gpioIsrHandlerRemove(pin);
  board.idf.gpioResetPin(pin);
  if (board.restorePull.has(pin)) {
    const pull = board.restorePull.get(pin);
    board.restorePull.delete(pin);
    if (pull !== undefined) board.board.pin(pin).setPull(pull);
  }
  board.registry.free(pin >> 5, 1 << (pin & 31));
  return OK;
}

export interface HostNativeGpioOptions {
  /** The XS task's message queue the posts go into (the provider's, shared with every other poster). */
  queue: FakeMessageQueue;
  /** builtinCommon.c's pin-use bookkeeping (the provider's, shared with the ECMA-419 IO). */
  pins: FakePinRegistry;
  /** µs from the post to the JavaScript callback. */
  latencyUs?: number;
}

/** The native module's test-bench view: what no driver sees. */
export interface HostNativeGpio {
  readonly module: NativeGpioModule;
  /** Misuses of the spinlock the twin saw (taken twice, the wrong form, held at rest): 0 on correct C. */
  lockErrors(): number;
}

/**
 * A board's C is freed when its twin is collected: everything that calls into the C for the board (the driver
 * twin's ISR handlers, the module's functions) holds the twin, so none can run after.
 */
const released = new FinalizationRegistry<{ id: number; host: unknown }>(({ id, host }) => {
  state.boards.delete(id);
  state.library?.freeHost(host);
});

function check(lib: Library, result: number): number {
  if (result >= 0) return result;
  const message = lib.strerror(result);
  throw result === EINVAL ? new RangeError(message) : new Error(message);
}

/** The native module on a simulated board: one per board, as one per XS machine on the chip. */
export function createHostNativeGpio(board: SimBoard, options: HostNativeGpioOptions): HostNativeGpio {
  const lib = load();
  const id = state.nextBoard++;
  const host = lib.newHost(id);
  if (host === null) throw new Error('gpio_irq host: out of memory');
  const irq = lib.moduleOf(host);
  const twin: HostBoard = {
    idf: espIdfGpio(board.gpio), board, queue: options.queue, registry: options.pins, latencyUs: options.latencyUs ?? 0,
    host, restorePull: new Map(), onReadable: undefined,
  };
  state.boards.set(id, new WeakRef(twin));
  // koffi writes _Out_ pointers through typed arrays; one view per ArrayBuffer the chip hands over.
  const views = new WeakMap<ArrayBuffer, Uint32Array>();
  const view = (buffer: ArrayBuffer): Uint32Array => {
    let words = views.get(buffer);
    if (words === undefined) {
      words = new Uint32Array(buffer);
      views.set(buffer, words);
    }
    return words;
  };
  const module: NativeGpioModule = Object.freeze({
    open: (pin: number, type: number, pull: number) => void check(lib, lib.open(irq, pin, type, pull)),
    close: (pin: number) => void check(lib, lib.close(irq, pin)),
    setType: (pin: number, type: number) => void check(lib, lib.setType(irq, pin, type)),
    mask: (pin: number) => void check(lib, lib.mask(irq, pin)),
    unmask: (pin: number) => void check(lib, lib.unmask(irq, pin)),
    level: (pin: number) => check(lib, lib.level(irq, pin)),
    now: () => board.sim.now(),
    read(events: ArrayBuffer, dropped: ArrayBuffer) {
      const words = view(events);
      return lib.read(irq, words, Math.floor(words.length / 5), view(dropped));
    },
    counters: (out: ArrayBuffer) => lib.counters(irq, view(out)),
    lineCounters: (pin: number, out: ArrayBuffer) => void check(lib, lib.lineCounters(irq, pin, view(out))),
    onReadable(callback: (() => void) | undefined) {
      twin.onReadable = callback;
    },
  });
  released.register(twin, { id, host });
  return Object.freeze({ module, lockErrors: () => lib.lockErrors(host) });
}
