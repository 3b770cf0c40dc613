/*
 * A pulse generator: a push-pull output, low when idle, that emits a high pulse of widthUs every periodUs
 * starting at start(), for `count` pulses or until stop(). It drives the net low from construction on.
 */
import type { Simulator, SimTimer } from '../sim';
import type { Net, PushPullDriver } from '../wire';

export interface PulseGeneratorOptions {
  periodUs: number;
  widthUs: number;
  /** Pulses to emit before stopping by itself; omitted: run until stop(). */
  count?: number;
  name?: string;
}

export class PulseGenerator {
  readonly name: string;
  readonly widthUs: number;
  readonly count: number | undefined;

  private period: number;
  private readonly output: PushPullDriver;
  private emitted = 0;
  private emittedThisRun = 0;
  private lastRise = 0;
  private isRunning = false;
  private riseTimer: SimTimer | undefined;
  private fallTimer: SimTimer | undefined;

  constructor(
    private readonly sim: Simulator,
    net: Net,
    options: PulseGeneratorOptions,
  ) {
    this.name = options.name ?? 'pulse';
    this.widthUs = options.widthUs;
    this.count = options.count;
    if (!(this.widthUs > 0)) throw new RangeError(`${this.name}: widthUs must be > 0`);
    if (this.count !== undefined && !(Number.isInteger(this.count) && this.count > 0)) {
      throw new RangeError(`${this.name}: count must be a whole number > 0`);
    }
    this.period = this.checkPeriod(options.periodUs);
    this.output = net.pushPull(this.name);
    this.output.drive(0);
  }

  /** Rising edges emitted so far, over all runs. */
  get pulses(): number {
    return this.emitted;
  }

  get periodUs(): number {
    return this.period;
  }

  get running(): boolean {
    return this.isRunning;
  }

  /** Emit the first pulse now. Does nothing while running; after stop() or a finished count it starts afresh. */
  start(): void {
    if (this.isRunning) return;
    this.isRunning = true;
    this.emittedThisRun = 0;
    this.rise();
  }

  /** Stop at once: pending edges are cancelled and the output goes low. */
  stop(): void {
    this.cancelTimers();
    this.isRunning = false;
    this.output.drive(0);
  }

  /** Change the period; the next rising edge moves to lastRise + the new period (or now, if that has passed). */
  setPeriod(us: number): void {
    this.period = this.checkPeriod(us);
    if (this.riseTimer === undefined) return;
    this.sim.cancel(this.riseTimer);
    this.scheduleRise(Math.max(this.sim.now(), this.lastRise + this.period));
  }

  private checkPeriod(us: number): number {
    if (!(us > this.widthUs) || !Number.isFinite(us)) {
      throw new RangeError(`${this.name}: period ${us} µs must be finite and longer than the width ${this.widthUs} µs`);
    }
    return us;
  }

  /**
   * A rising edge due at `due`. The generator is hardware: it keeps its own time, so when a busy CPU
   * (sim.spend) makes the event run late, the next edge is still due one period after this one's due time.
   */
  private rise(due = this.sim.now()): void {
    this.riseTimer = undefined;
    // Whole pulses that fell due while the CPU was busy happened all the same: replay them now.
    const now = this.sim.now();
    while (due + this.period <= now && !this.lastOfRun()) {
      this.output.drive(1);
      this.output.drive(0);
      this.emitted++;
      this.emittedThisRun++;
      due += this.period;
    }
    this.lastRise = due;
    this.output.drive(1);
    this.emitted++;
    this.emittedThisRun++;
    const last = this.lastOfRun();
    this.fallTimer = this.sim.at(Math.max(due + this.widthUs, now), () => this.fall(last));
    if (!last) this.scheduleRise(due + this.period);
  }

  private lastOfRun(): boolean {
    return this.count !== undefined && this.emittedThisRun >= this.count;
  }

  private fall(last: boolean): void {
    this.fallTimer = undefined;
    this.output.drive(0);
    if (last) this.isRunning = false;
  }

  private scheduleRise(time: number): void {
    // A due time the busy clock has passed already runs at once, as a late event.
    this.riseTimer = this.sim.at(Math.max(time, this.sim.now()), () => this.rise(time));
  }

  private cancelTimers(): void {
    if (this.riseTimer !== undefined) this.sim.cancel(this.riseTimer);
    if (this.fallTimer !== undefined) this.sim.cancel(this.fallTimer);
    this.riseTimer = undefined;
    this.fallTimer = undefined;
  }
}
