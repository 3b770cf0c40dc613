/*
 * Electrical nets: one wire, the drivers attached to it and the level they resolve to.
 *
 * Resolution, strongest first:
 *   1. Any open-drain driver asserting: 0. A push-pull driver driving 1 at the same time is contention;
 *      the open-drain low wins.
 *   2. Push-pull drivers that drive: their common level. If they disagree that is contention, and the
 *      net reads 0 (the low side wins).
 *   3. The pull: up gives 1, down gives 0.
 *   4. Nothing: the net floats and keeps its last resolved level (a pad's input capacitance holds it),
 *      `floating` is true. A net that has never been driven or pulled reads 0.
 */

export type Level = 0 | 1;
export type Pull = 'up' | 'down' | 'none';

export interface PushPullDriver {
  readonly owner: string;
  /** The level it drives, or undefined while released (high impedance). */
  readonly driving: Level | undefined;
  drive(level: Level): void;
  /** Stop driving: high impedance. */
  release(): void;
}

export interface OpenDrainDriver {
  readonly owner: string;
  readonly asserted: boolean;
  /** Pull the line low. */
  assert(): void;
  /** Let go: the pull or another driver decides the level. */
  release(): void;
}

export interface NetOptions {
  pull?: Pull;
}

function checkPull(pull: Pull): Pull {
  if (pull !== 'up' && pull !== 'down' && pull !== 'none') throw new RangeError(`Net: unknown pull '${String(pull)}'`);
  return pull;
}

class PushPull implements PushPullDriver {
  driving: Level | undefined = undefined;
  constructor(
    readonly owner: string,
    private readonly changed: () => void,
  ) {}

  drive(level: Level): void {
    if (level !== 0 && level !== 1) throw new RangeError(`${this.owner}: level must be 0 or 1, got ${String(level)}`);
    if (this.driving === level) return;
    this.driving = level;
    this.changed();
  }

  release(): void {
    if (this.driving === undefined) return;
    this.driving = undefined;
    this.changed();
  }
}

class OpenDrain implements OpenDrainDriver {
  asserted = false;
  constructor(
    readonly owner: string,
    private readonly changed: () => void,
  ) {}

  assert(): void {
    if (this.asserted) return;
    this.asserted = true;
    this.changed();
  }

  release(): void {
    if (!this.asserted) return;
    this.asserted = false;
    this.changed();
  }
}

export class Net {
  readonly name: string;

  private pullMode: Pull;
  private resolved: Level = 0;
  private contended = false;
  private contentionCount = 0;
  private readonly pushPulls: PushPull[] = [];
  private readonly openDrains: OpenDrain[] = [];
  private readonly listeners = new Set<(level: Level) => void>();
  /** Levels still to announce; a listener that changes this net queues behind the change it is handling. */
  private readonly announcements: Level[] = [];
  private announcing = false;

  constructor(name: string, options: NetOptions = {}) {
    this.name = name;
    this.pullMode = checkPull(options.pull ?? 'none');
    this.update();
  }

  /** The resolved level (see the rules at the top of this file). */
  level(): Level {
    return this.resolved;
  }

  get pull(): Pull {
    return this.pullMode;
  }

  setPull(pull: Pull): void {
    this.pullMode = checkPull(pull);
    this.update();
  }

  /** How many times drivers started to fight (push-pull against push-pull, or push-pull 1 against open-drain). */
  get contentions(): number {
    return this.contentionCount;
  }

  /** True while drivers fight. */
  get contention(): boolean {
    return this.contended;
  }

  /** True while nobody drives and there is no pull. */
  get floating(): boolean {
    return this.pullMode === 'none' && !this.driven();
  }

  /** Owners currently driving, for diagnostics: "owner:0", "owner:1", "owner:od". */
  drivenBy(): string[] {
    return [
      ...this.pushPulls.filter((d) => d.driving !== undefined).map((d) => `${d.owner}:${d.driving}`),
      ...this.openDrains.filter((d) => d.asserted).map((d) => `${d.owner}:od`),
    ];
  }

  /** A new push-pull driver, released until it drives. */
  pushPull(owner: string): PushPullDriver {
    const driver = new PushPull(owner, () => this.update());
    this.pushPulls.push(driver);
    return driver;
  }

  /** A new open-drain driver, released until it asserts. Several of them on one net make a wired-OR. */
  openDrain(owner: string): OpenDrainDriver {
    const driver = new OpenDrain(owner, () => this.update());
    this.openDrains.push(driver);
    return driver;
  }

  /**
   * Call `listener` synchronously each time the resolved level changes. Returns the unsubscribe function.
   * Every listener sees every change, in order, even when a listener itself changes this net.
   */
  onChange(listener: (level: Level) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  private driven(): boolean {
    return this.openDrains.some((d) => d.asserted) || this.pushPulls.some((d) => d.driving !== undefined);
  }

  private update(): void {
    let high = false;
    let low = false;
    for (const d of this.pushPulls) {
      if (d.driving === 1) high = true;
      else if (d.driving === 0) low = true;
    }
    const openDrainLow = this.openDrains.some((d) => d.asserted);
    const fighting = high && (low || openDrainLow);
    if (fighting && !this.contended) this.contentionCount++;
    this.contended = fighting;

    let level: Level = this.resolved;
    if (openDrainLow || low) level = 0;
    else if (high) level = 1;
    else if (this.pullMode === 'up') level = 1;
    else if (this.pullMode === 'down') level = 0;

    if (level === this.resolved) return;
    this.resolved = level;
    this.announce(level);
  }

  private announce(level: Level): void {
    this.announcements.push(level);
    if (this.announcing) return;
    this.announcing = true;
    try {
      for (let next = this.announcements.shift(); next !== undefined; next = this.announcements.shift()) {
        for (const listener of [...this.listeners]) listener(next);
      }
    } finally {
      // A throwing listener abandons the remaining announcements: the level itself is already settled.
      this.announcements.length = 0;
      this.announcing = false;
    }
  }
}
