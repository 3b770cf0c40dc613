/*
 * Per-irq latency histograms: edge to hardirq, hardirq to thread start, edge to thread start, thread run
 * time. Off unless IrqCore gets `stats: true`; on, each line gets its histograms when it is requested (four
 * fixed arrays), and
 * recording a value is arithmetic on them, with no allocation.
 *
 * Buckets are logarithmic with four steps per power of two (each bucket at most 19 % wider than the last),
 * from 1 µs to about 70 s; percentiles are reported as the upper bound of their bucket, the maximum exactly.
 */

const STEPS = 4;
const OCTAVES = 26;
const BUCKETS = STEPS * OCTAVES + 1;

/** The upper bound of bucket i, µs: bucket 0 holds values below 1 µs, bucket i >= 1 those below 2^(i/STEPS). */
function bound(i: number): number {
  return i === 0 ? 1 : 2 ** (i / STEPS);
}

export interface LatencySummary {
  readonly count: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

export class LatencyHistogram {
  /** Values per bucket: written by record() and by IrqLatencyStats.ran, which writes record() out. */
  readonly buckets = new Uint32Array(BUCKETS);
  maxUs = 0;

  /**
   * One value into its bucket, and the maximum: all an event pays (the count and percentiles are derived from
   * the buckets when read). A value that is not a time (NaN, negative) is not counted.
   */
  record(us: number): void {
    if (us >= 1) {
      let i = 1 + Math.floor(Math.log2(us) * STEPS);
      if (i >= BUCKETS) i = BUCKETS - 1;
      this.buckets[i]++;
    } else if (us >= 0) {
      this.buckets[0]++;
    } else {
      return;
    }
    if (us > this.maxUs) this.maxUs = us;
  }

  /** Values recorded: the sum of the buckets (read time only). */
  get count(): number {
    let n = 0;
    for (let i = 0; i < BUCKETS; i++) n += this.buckets[i];
    return n;
  }

  /** The upper bound of the bucket holding the p-th percentile (never above the maximum). */
  percentile(p: number): number {
    const count = this.count;
    if (count === 0) return NaN;
    const rank = Math.ceil((p / 100) * count);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.buckets[i];
      if (seen >= rank) return Math.min(bound(i), this.maxUs);
    }
    return this.maxUs;
  }

  summary(): LatencySummary {
    const count = this.count;
    return { count, p50Us: this.percentile(50), p99Us: this.percentile(99), maxUs: count ? this.maxUs : NaN };
  }
}

/** What a woken action holds for its run's latencies (IrqAction, desc.ts): its hardirq's time and its edge's. */
export interface IrqLatencyWake {
  readonly wokenUs: number;
  readonly edgeUs: number;
}

/** The histograms of a line. */
export class IrqLatencyStats {
  /** From the edge (as the HAL reports its time) to the line's flow handler. */
  readonly edgeToHardirq = new LatencyHistogram();
  /** From the hardirq that woke a thread to the start of the thread's run. */
  readonly hardirqToThread = new LatencyHistogram();
  /** From the edge to the start of the thread run it caused (where the HAL reports edge times). */
  readonly edgeToThread = new LatencyHistogram();
  /** A thread run, from its start to its end (sleeping included). */
  readonly threadRun = new LatencyHistogram();

  /**
   * The start, at `startUs`, of a thread run of `action`, woken by the hardirq at action.wokenUs (the edge that
   * raised it at action.edgeUs; NaN: the HAL did not say): hardirqToThread and edgeToThread. Recorded when the
   * run's synchronous part ends, with its run time if it did not sleep (ran(), the runner's one call per run);
   * or earlier, by the wakeup that is about to replace action.wokenUs, if the action is woken again during that
   * synchronous part (its run's end then sees runthread set and records the run time only).
   */
  started(action: IrqLatencyWake, startUs: number): void {
    this.hardirqToThread.record(startUs - action.wokenUs);
    const edgeUs = action.edgeUs;
    if (edgeUs === edgeUs) this.edgeToThread.record(startUs - edgeUs);
  }

  /**
   * A thread run of `action` that did not sleep, from `startUs` to `endUs`: every latency of the run in one
   * call, the runner's one per run (started() says what the action holds). hardirqToThread's and threadRun's
   * records are LatencyHistogram.record written out (on XS the two calls would cost as much as both records);
   * an edge time is rare (the HAL says it only where it knows it), so edgeToThread's is the call.
   */
  ran(action: IrqLatencyWake, startUs: number, endUs: number): void {
    const edgeUs = action.edgeUs;
    if (edgeUs === edgeUs) this.edgeToThread.record(startUs - edgeUs);
    let h = this.hardirqToThread;
    let us = startUs - action.wokenUs;
    if (us >= 1) {
      const i = 1 + Math.floor(Math.log2(us) * STEPS);
      h.buckets[i < BUCKETS ? i : BUCKETS - 1]++;
      if (us > h.maxUs) h.maxUs = us;
    } else if (us >= 0) {
      h.buckets[0]++;
      if (us > h.maxUs) h.maxUs = us;
    }
    h = this.threadRun;
    us = endUs - startUs;
    if (us >= 1) {
      const i = 1 + Math.floor(Math.log2(us) * STEPS);
      h.buckets[i < BUCKETS ? i : BUCKETS - 1]++;
      if (us > h.maxUs) h.maxUs = us;
    } else if (us >= 0) {
      h.buckets[0]++;
      if (us > h.maxUs) h.maxUs = us;
    }
  }
}

export interface IrqLatencyInfo {
  readonly irq: number;
  readonly edgeToHardirq: LatencySummary;
  readonly hardirqToThread: LatencySummary;
  readonly edgeToThread: LatencySummary;
  readonly threadRun: LatencySummary;
}
