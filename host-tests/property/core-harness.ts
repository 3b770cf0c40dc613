/*
 * The core property without the board (core.property.test.ts): one line on a small fake interrupt controller,
 * entered through genericHandleIrq, in chip variants the board does not have: an edge flow or a fasteoi flow
 * (with level devices), lazy disable or a chip with irqDisable, hardware retrigger or the core's software
 * resend, EOI before or after the threads. It also reaches what the board cannot: an arrival while the
 * handler runs (a handler that makes its device fire and is re-entered), and unexpected interrupts with
 * nothing pending.
 *
 * The fake controller: per line an input latch (edge) or per-device levels (fasteoi), an enable bit, and a
 * delivery job that calls genericHandleIrq while something is pending and enabled, as an interrupt controller
 * would. The flow handler is wrapped, so every entry of it (delivery, re-entry, software resend) is counted.
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, IRQCHIP_EOI_THREADED, IRQF_NO_AUTOEN, IRQF_ONESHOT, IRQF_SHARED, IrqCore,
  IrqError, handleEdgeIrq, handleFasteoiIrq, type IrqChip, type IrqDescInfo, type IrqHandler, type IrqThreadFn,
} from '../../firmware/irq';
import fc from 'fast-check';
import { Simulator } from '../../hal/mock/sim';
import { sleep } from '../helpers/threads';

export interface ChipConfig {
  flow: 'edge' | 'fasteoi';
  /** No irqDisable: disabling only marks the line, the flow masks it on the next arrival. */
  lazyDisable: boolean;
  /** irqRetrigger re-raises the line in hardware; otherwise it answers false and the core resends in software. */
  hwRetrigger: boolean;
  /** IRQCHIP_EOI_THREADED: the fasteoi flow sends EOI only when the oneshot threads are done. */
  eoiThreaded: boolean;
}

export type CoreMode = 'primary' | 'thread' | 'thread-async' | 'reenter';

export type CoreCmd =
  | { op: 'request'; slot: number; mode: CoreMode; oneshot: boolean; shared: boolean; noAutoen?: boolean }
  | { op: 'free'; slot: number }
  | { op: 'disable'; sync: boolean }
  | { op: 'enable' }
  /** The slot's device has an event: an edge on the line, or (fasteoi) its level asserted until handled. */
  | { op: 'event'; slot: number }
  /** An interrupt with nothing pending: the controller reports the (unmasked) line anyway, a glitch. */
  | { op: 'spurious' }
  | { op: 'advance'; us: number };

export interface CoreScenario {
  chip: ChipConfig;
  cmds: CoreCmd[];
}

const SLOTS = 2;
const EVENT_BUDGET = 50_000;
/** Re-entries a handler may cause per command, so a re-entering handler cannot recurse forever. */
const REENTRY_BUDGET = 2;
export const CORE_SETTLE_US = 10_000;

interface Rec {
  readonly serial: number;
  readonly slot: number;
  readonly mode: CoreMode;
  readonly oneshot: boolean;
  readonly shared: boolean;
  readonly name: string;
  freeCalled: boolean;
  freeResolved: boolean;
}

/** A level device (fasteoi lines): events pending, and whether its driver lets it assert the line. */
interface Device {
  events: number;
  intEnabled: boolean;
}

export class CoreInvariantError extends Error {}

const FIELDS = [
  'depth', 'wakeDepth', 'count', 'unhandled', 'unhandledTotal', 'deferred', 'resends', 'merged', 'errors', 'disabled',
  'masked', 'pending', 'inProgress', 'started', 'spuriousDisabled', 'triggerType', 'threadsActive', 'actions',
] as const;

function snapshot(desc: IrqDescInfo): string {
  return JSON.stringify(FIELDS.map((f) => desc[f]));
}

export interface CoreStats {
  flowEntries: number;
  /** Deferred arrivals merged into an already pending one (desc.merged). */
  merged: number;
  deferred: number;
  reentries: number;
  loopReplays: number;
  resends: number;
}

export function emptyCoreStats(): CoreStats {
  return { flowEntries: 0, merged: 0, deferred: 0, reentries: 0, loopReplays: 0, resends: 0 };
}

export async function runCoreScenario({ chip: cfg, cmds }: CoreScenario): Promise<CoreStats> {
  const sim = new Simulator();
  const logs: string[] = [];
  const violations: string[] = [];
  let step = -1;
  const fail = (message: string): void => {
    violations.push(`step ${step}: ${message}`);
  };
  const stats = emptyCoreStats();

  // A storm would keep advance() from returning: past the budget, the next event throws, rejecting it.
  let events = 0;
  const at = sim.at.bind(sim);
  sim.at = (timeUs, cb) => at(timeUs, () => {
    if (++events > EVENT_BUDGET) throw new CoreInvariantError(`step ${step}: more than ${EVENT_BUDGET} events: a storm`);
    cb();
  });
  const core = new IrqCore({
    platform: sim.platform,
    log: (level, message) => {
      logs.push(`${level}: ${message}`);
    },
    watchdog: { timeoutUs: 0 },
  });

  // ---- the fake controller ----
  const hw = { enabled: false, latched: false, coalesced: 0, wakeEnabled: false };
  const devices: Device[] = Array.from({ length: SLOTS }, () => ({ events: 0, intEnabled: false }));
  const level = cfg.flow === 'fasteoi';
  const asserted = (): boolean => (level ? devices.some((d) => d.events > 0 && d.intEnabled) : hw.latched);
  let kicked = false;
  const deliver = (): void => {
    kicked = false;
    if (!(hw.enabled && asserted())) return;
    if (core.genericHandleIrq(irq) !== 0) fail('genericHandleIrq did not return 0');
    if (hw.enabled && asserted()) kick();
  };
  const kick = (): void => {
    if (kicked) return;
    kicked = true;
    sim.defer(deliver);
  };
  const latch = (): void => {
    if (hw.latched) hw.coalesced++;
    else hw.latched = true;
    kick();
  };
  const chip: IrqChip = {
    name: 'prop',
    flags: cfg.eoiThreaded ? IRQCHIP_EOI_THREADED : 0,
    irqMask: () => {
      hw.enabled = false;
    },
    irqUnmask: () => {
      hw.enabled = true;
      kick();
    },
    irqAck: () => {
      hw.latched = false;
    },
    irqEoi: () => {},
    irqSetWake: (_data, on) => {
      hw.wakeEnabled = on;
    },
    irqRetrigger: () => {
      if (!cfg.hwRetrigger) return false;
      latch();
      return true;
    },
    ...(cfg.lazyDisable ? {} : {
      irqDisable: () => {
        hw.enabled = false;
      },
    }),
  };
  const flow = cfg.flow === 'edge' ? handleEdgeIrq : handleFasteoiIrq;
  const irq = core.irqAllocDesc();
  // Every entry of the flow is counted here: count + deferred is the core's own figure for it, so checking
  // it needs an independent count. (Merges into the one pending flag are the core's `merged` counter.)
  core.irqSetChipAndHandler(irq, chip, (d) => {
    stats.flowEntries++;
    flow(d);
  });
  const desc = (): IrqDescInfo => core.irqToDesc(irq)!;

  // ---- the model ----
  const m = { depth: 1, started: false, live: [] as Rec[], eventRuns: 0 };
  const devIds = Array.from({ length: SLOTS }, (_, slot) => ({ slot }));
  const tracked: { what: string; settled: 'no' | 'resolved' | 'rejected'; error: unknown }[] = [];
  const track = (what: string, promise: Promise<unknown>): void => {
    const t = { what, settled: 'no' as 'no' | 'resolved' | 'rejected', error: undefined as unknown };
    promise.then(() => {
      t.settled = 'resolved';
    }, (error: unknown) => {
      t.settled = 'rejected';
      t.error = error;
    });
    tracked.push(t);
  };
  let serial = 0;
  let reentries = 0;

  const primaryRan = (rec: Rec): void => {
    if (m.depth > 0) fail(`${rec.name}: primary handler ran while the line is disabled (model depth ${m.depth})`);
    if (rec.freeCalled) fail(`${rec.name}: primary handler ran after freeIrq was called`);
    if (!desc().inProgress) fail(`${rec.name}: primary handler ran outside the flow (inProgress false)`);
  };
  /** The first of our handlers in a handleIrqEvent run counts the run (the actions run in request order). */
  const countRun = (rec: Rec): void => {
    if (m.live[0] === rec) m.eventRuns++;
  };

  function makeDriver(rec: Rec, sleepUs: number): { handler: IrqHandler; threadFn: IrqThreadFn | null } {
    const dev = devices[rec.slot];
    const mine = (): boolean => (level ? dev.events > 0 && dev.intEnabled : true);
    const threaded = rec.mode === 'thread' || rec.mode === 'thread-async';
    const handler: IrqHandler = () => {
      primaryRan(rec);
      countRun(rec);
      if (rec.mode === 'reenter' && reentries < REENTRY_BUDGET) {
        // The device fires again while its handler runs, and the controller delivers it at once.
        reentries++;
        stats.reentries++;
        if (level) dev.events++;
        else latch();
        if (hw.enabled && asserted()) core.genericHandleIrq(irq);
      }
      if (!mine()) return IRQ_NONE;
      if (!threaded) {
        if (level) dev.events = 0;
        return IRQ_HANDLED;
      }
      if (level && !rec.oneshot) dev.intEnabled = false;
      return IRQ_WAKE_THREAD;
    };
    if (!threaded) return { handler, threadFn: null };
    const check = (when: string): void => {
      if (rec.freeResolved) fail(`${rec.name}: thread ${when} after freeIrq resolved`);
      if (level && rec.oneshot && !rec.freeCalled && hw.enabled) fail(`${rec.name}: oneshot thread ${when} with the line unmasked`);
    };
    const finish = (): number => {
      const had = level ? dev.events : 1;
      if (level) {
        dev.events = 0;
        if (!rec.oneshot && !rec.freeCalled) {
          dev.intEnabled = true;
          kick();
        }
      }
      check('finished');
      return had > 0 ? IRQ_HANDLED : IRQ_NONE;
    };
    const threadFn: IrqThreadFn = rec.mode === 'thread'
      ? () => {
        check('started');
        return finish();
      }
      : async () => {
        check('started');
        await sleep(sim, sleepUs);
        return finish();
      };
    return { handler, threadFn };
  }

  async function run(cmd: CoreCmd): Promise<void> {
    reentries = 0;
    switch (cmd.op) {
      case 'advance':
        await sim.advance(cmd.us);
        return;
      case 'event':
        if (level) {
          devices[cmd.slot].events++;
          kick();
        } else {
          latch();
        }
        return;
      case 'spurious':
        if (hw.enabled && core.genericHandleIrq(irq) !== 0) fail('genericHandleIrq did not return 0');
        return;
      case 'request': {
        const rec: Rec = {
          serial: ++serial, slot: cmd.slot, mode: cmd.mode, oneshot: cmd.oneshot, shared: cmd.shared,
          name: `d${cmd.slot}#${serial}`, freeCalled: false, freeResolved: false,
        };
        const old = m.live[0];
        let expected: string | undefined;
        if (cmd.shared && cmd.noAutoen) expected = 'EINVAL';
        else if (old !== undefined && (!(old.shared && cmd.shared) || old.oneshot !== cmd.oneshot || m.live.some((a) => a.slot === cmd.slot))) expected = 'EBUSY';
        const { handler, threadFn } = makeDriver(rec, 50 + 100 * cmd.slot);
        const flags = (cmd.shared ? IRQF_SHARED : 0) | (cmd.oneshot ? IRQF_ONESHOT : 0) | (cmd.noAutoen ? IRQF_NO_AUTOEN : 0);
        const before = snapshot(desc());
        let thrown: unknown;
        try {
          core.requestThreadedIrq(irq, handler, threadFn, flags, rec.name, devIds[cmd.slot]);
        } catch (err) {
          thrown = err;
        }
        if (expected !== undefined) {
          if (!(thrown instanceof IrqError) || thrown.code !== expected) fail(`request ${JSON.stringify(cmd)}: expected ${expected}, got ${String(thrown)}`);
          else if (snapshot(desc()) !== before) fail('a failed request changed the line');
          return;
        }
        if (thrown !== undefined) {
          fail(`request ${JSON.stringify(cmd)} threw ${String(thrown)}`);
          return;
        }
        if (m.live.length === 0) {
          // IRQF_NO_AUTOEN: disabled (depth 1) even if an enable started the line before; a pending edge
          // stays pending, and the startup replays it (the accounting below checks that).
          m.depth = cmd.noAutoen ? 1 : 0;
          if (!cmd.noAutoen) m.started = true;
        }
        m.live.push(rec);
        if (level) {
          devices[cmd.slot].intEnabled = true;
          kick();
        }
        return;
      }
      case 'free': {
        const rec = m.live.find((a) => a.slot === cmd.slot);
        if (rec === undefined) {
          track(`freeIrq(slot ${cmd.slot}) of nothing`, core.freeIrq(irq, devIds[cmd.slot]));
          return;
        }
        if (level) devices[cmd.slot].intEnabled = false;
        rec.freeCalled = true;
        track(`freeIrq(${rec.name})`, core.freeIrq(irq, devIds[cmd.slot]).then((name) => {
          rec.freeResolved = true;
          if (name !== rec.name) throw new Error(`resolved to ${String(name)}`);
        }));
        m.live = m.live.filter((a) => a !== rec);
        if (m.live.length === 0 && m.started) {
          m.depth = Math.max(m.depth, 1);
          m.started = false;
        }
        return;
      }
      case 'disable':
        if (cmd.sync) track('disableIrq', core.disableIrq(irq));
        else core.disableIrqNosync(irq);
        m.depth++;
        return;
      case 'enable': {
        const n = logs.length;
        core.enableIrq(irq);
        const warned = logs.slice(n).includes(`warn: Unbalanced enable for IRQ ${irq}`);
        if (m.depth === 0) {
          if (!warned) fail('an unbalanced enable did not warn');
        } else if (warned) {
          fail(`enable at depth ${m.depth} warned`);
        } else if (--m.depth === 0) {
          m.started = true;
        }
        return;
      }
    }
  }

  const busyThreads = () => core.irqThreads().filter((t) => t.irq === irq && (t.state === 'queued' || t.state === 'running'));
  const oneshotBusy = (): boolean => busyThreads().some((t) => m.live.some((a) => a.oneshot && t.name === `irq/${irq}-${a.name}`));

  function check(): void {
    const d = desc();
    if (d.depth !== m.depth) fail(`depth ${d.depth}, the model expects ${m.depth}`);
    if (d.disabled !== d.depth > 0) fail(`disabled ${d.disabled} at depth ${d.depth}`);
    if (d.masked === hw.enabled) fail(`masked ${d.masked} but the controller's enable is ${hw.enabled}`);
    if (JSON.stringify(d.actions) !== JSON.stringify(m.live.map((a) => a.name))) fail(`actions ${JSON.stringify(d.actions)}`);
    // Every entry of the flow is counted: accepted (count) or deferred, never dropped unseen.
    if (d.count + d.deferred !== stats.flowEntries) fail(`count ${d.count} + deferred ${d.deferred} != flow entries ${stats.flowEntries}`);
    if (level && !d.masked && oneshotBusy()) fail('a oneshot thread is busy but the line is unmasked');
    if (!d.disabled && d.started && d.actions.length > 0 && d.threadsActive === 0 && busyThreads().length === 0 && d.masked) {
      fail('enabled, requested, no thread active, but masked');
    }
    if (!level) {
      // Every deferred arrival is replayed (by the flow's loop after an arrival while the handler ran, or by
      // a resend on enable or request), still pending, or merged into a pending one (the core's `merged`).
      // The loop's replays are measured here: the core counts them nowhere (the loop does not add to `count`,
      // it runs handleIrqEvent again), so they are handler runs beyond `count`.
      const loopReplays = m.eventRuns - d.count;
      if (d.deferred !== d.resends + loopReplays + (d.pending ? 1 : 0) + d.merged) {
        fail(`deferred ${d.deferred} != resends ${d.resends} + loop replays ${loopReplays} + pending ${d.pending ? 1 : 0}` +
          ` + merged ${d.merged}`);
      }
    }
    if (violations.length !== 0) throw new CoreInvariantError(violations.join('\n'));
  }

  for (step = 0; step < cmds.length; step++) {
    await run(cmds[step]);
    check();
  }
  step = cmds.length;
  await run({ op: 'advance', us: CORE_SETTLE_US });
  check();
  if (m.live.length !== 0) while (m.depth > 0) await run({ op: 'enable' });
  await run({ op: 'advance', us: CORE_SETTLE_US });
  check();
  for (const t of tracked) if (t.settled !== 'resolved') fail(`${t.what} ${t.settled === 'no' ? 'never settled' : `rejected: ${String(t.error)}`}`);
  if (m.live.length !== 0) {
    if (!level && (desc().pending || hw.latched)) fail(`an edge is still ${desc().pending ? 'pending' : 'latched'} on an enabled line`);
    if (level && asserted()) fail('a device is still asserted on an enabled line');
  }
  check();
  const d = desc();
  stats.deferred = d.deferred;
  stats.resends = d.resends;
  stats.merged = d.merged;
  stats.loopReplays = m.eventRuns - d.count;
  return stats;
}

// ---- the generator ----

const weighted = <T>(likely: T, unlikely: T, odds: number): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: fc.constant(likely), weight: odds }, { arbitrary: fc.constant(unlikely), weight: 1 });

export function coreCommandArb(): fc.Arbitrary<CoreCmd> {
  const slot = fc.integer({ min: 0, max: SLOTS - 1 });
  return fc.oneof(
    {
      arbitrary: fc.record({
        slot,
        mode: fc.constantFrom<CoreMode>('primary', 'thread', 'thread-async', 'reenter'),
        oneshot: weighted(true, false, 2),
        shared: weighted(true, false, 4),
        noAutoen: weighted(false, true, 9),
      }).map(({ noAutoen, ...r }): CoreCmd => (noAutoen ? { op: 'request', ...r, noAutoen } : { op: 'request', ...r })),
      weight: 6,
    },
    { arbitrary: fc.record({ op: fc.constant('free' as const), slot }), weight: 2 },
    { arbitrary: fc.record({ op: fc.constant('disable' as const), sync: fc.boolean() }), weight: 3 },
    { arbitrary: fc.constant({ op: 'enable' as const }), weight: 4 },
    { arbitrary: fc.record({ op: fc.constant('event' as const), slot }), weight: 10 },
    { arbitrary: fc.constant({ op: 'spurious' as const }), weight: 1 },
    { arbitrary: fc.constantFrom(0, 10, 60, 200, 1000).map((us): CoreCmd => ({ op: 'advance', us })), weight: 8 },
  );
}

export function coreScenarioArb(maxLength: number): fc.Arbitrary<CoreScenario> {
  return fc.record({
    chip: fc.record({
      flow: weighted<'edge' | 'fasteoi'>('edge', 'fasteoi', 2),
      lazyDisable: fc.boolean(),
      hwRetrigger: fc.boolean(),
      eoiThreaded: fc.boolean(),
    }),
    cmds: fc.array(coreCommandArb(), { minLength: 1, maxLength, size: 'max' }),
  });
}
