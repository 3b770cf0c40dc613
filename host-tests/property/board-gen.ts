/*
 * The board property's generators: a run's settings, a set-up (at most one well-formed request per line),
 * and the random commands, as fast-check arbitraries.
 */
import fc from 'fast-check';
import { IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING } from '../../firmware/irq';
import { BoardCommand } from './board-commands';
import {
  EDGE_LINES, LEVEL_LINES, LINE_NAMES, LINES, type Bad, type Cmd, type EdgeLine, type LevelLine, type LineName, type Mode,
  type RequestCmd, type RunConfig,
} from './board-model';

const BADS: readonly Bad[] = ['flags', 'trigger', 'name', 'nothing'];
/** Advances: within a hardirq's job, an I2C transfer (169 µs), a few, a silent-bank check period, past the watchdog (20 ms). */
const ADVANCES = [0, 1, 20, 100, 170, 400, 1000, 2500, 25_000];

/** The queue: mostly the board's 10; often short, so bursts and other posters fill it and banks go silent. */
export const configArb: fc.Arbitrary<RunConfig> = fc.record({
  seed: fc.nat(0xffff),
  queueLength: fc.constantFrom(10, 10, 3, 2, 1),
  latencyUs: fc.constantFrom(0, 0, 20, 150),
});

/**
 * A trigger a driver of `line` might ask for: edge lines mostly rising (so sharers often agree), sometimes
 * another edge type or none; level lines theirs, sometimes none.
 */
function triggerFor(line: LineName, pick: number): number {
  const spec = LINES[line];
  if (spec.kind === 'edge') {
    const types = [IRQ_TYPE_EDGE_RISING, IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, 0];
    return types[[0, 0, 0, 0, 0, 1, 1, 1, 2, 3][pick % 10]];
  }
  return pick === 9 ? 0 : spec.types[0];
}

/** A type for irqSetIrqType: one the line's devices work with, or one the core must refuse (EINVAL). */
function setTypeFor(line: LineName, pick: number): number {
  const choices = [...LINES[line].types, 0, 5, 16];
  return choices[pick % choices.length];
}

const slotArb = fc.integer({ min: 0, max: 1 });
const weighted = <T>(likely: T, unlikely: T, odds: number): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: fc.constant(likely), weight: odds }, { arbitrary: fc.constant(unlikely), weight: 1 });

/** A request on `line` by a driver in a random mode; `wellFormed` leaves out the deliberately bad ones. */
function requestArb(line: fc.Arbitrary<LineName>, wellFormed: boolean): fc.Arbitrary<RequestCmd> {
  return fc.record({
    line,
    slot: slotArb,
    mode: fc.oneof(
      { arbitrary: fc.constantFrom<Mode>('primary', 'thread-async'), weight: 6 },
      { arbitrary: fc.constantFrom<Mode>('thread', 'thread-only'), weight: 4 },
      { arbitrary: fc.constantFrom<Mode>('thread-fail', 'thread-hang'), weight: 1 },
    ),
    oneshot: weighted(true, false, 3),
    shared: weighted(true, false, 3),
    trigger: fc.nat(9),
    noAutoen: wellFormed ? fc.constant(false) : weighted(false, true, 9),
    bad: wellFormed ? fc.constant(undefined) : fc.oneof({ arbitrary: fc.constant(undefined), weight: 12 }, { arbitrary: fc.constantFrom(...BADS), weight: 1 }),
    sleepUs: fc.constantFrom(0, 50, 400),
  }).map((r) => {
    const cmd: RequestCmd = { op: 'request', line: r.line, slot: r.slot, mode: r.mode, oneshot: r.oneshot, shared: r.shared, trigger: triggerFor(r.line, r.trigger) };
    if (r.noAutoen) cmd.noAutoen = true;
    if (r.bad !== undefined) cmd.bad = r.bad;
    if (r.mode === 'thread-async' || r.mode === 'thread-only') cmd.sleepUs = r.sleepUs;
    return cmd;
  });
}

/** Now, or later: during the next advances, between the jobs of hardirqs and threads. */
const inUsArb = fc.oneof({ arbitrary: fc.constant(undefined), weight: 2 }, { arbitrary: fc.constantFrom(0, 30, 150, 700), weight: 1 });

type Scheduled = Extract<Cmd, { op: 'drive' | 'toggle' | 'raise' }>;

function later(cmd: Scheduled, us: number | undefined): Cmd {
  return us === undefined ? cmd : { ...cmd, inUs: us };
}

export function commandArb(): fc.Arbitrary<Cmd> {
  const line = fc.constantFrom(...LINE_NAMES);
  const edgeLine = fc.constantFrom<EdgeLine>(...EDGE_LINES);
  const levelLine = fc.constantFrom<LevelLine>(...LEVEL_LINES);
  return fc.oneof(
    { arbitrary: requestArb(line, false), weight: 14 },
    { arbitrary: fc.record({ op: fc.constant('free' as const), line, slot: slotArb }), weight: 5 },
    { arbitrary: fc.record({ op: fc.constant('disable' as const), line, how: fc.constantFrom('sync' as const, 'nosync' as const, 'hardirq' as const) }), weight: 5 },
    { arbitrary: fc.record({ op: fc.constant('enable' as const), line }), weight: 8 },
    { arbitrary: fc.record({ line, pick: fc.nat(5) }).map(({ line: l, pick }): Cmd => ({ op: 'setType', line: l, type: setTypeFor(l, pick) })), weight: 3 },
    { arbitrary: fc.record({ op: fc.constant('wake' as const), line, on: fc.boolean() }), weight: 2 },
    {
      arbitrary: fc.record({ line: edgeLine, level: fc.constantFrom<0 | 1>(0, 1), inUs: inUsArb })
        .map(({ line: l, level, inUs }) => later({ op: 'drive', line: l, level }, inUs)),
      weight: 10,
    },
    {
      arbitrary: fc.record({ line: edgeLine, times: fc.integer({ min: 1, max: 4 }), inUs: inUsArb })
        .map(({ line: l, times, inUs }) => later({ op: 'toggle', line: l, times }, inUs)),
      weight: 8,
    },
    {
      arbitrary: fc.record({ line: levelLine, slot: slotArb, bits: fc.integer({ min: 1, max: 3 }), inUs: inUsArb })
        .map(({ line: l, slot, bits, inUs }) => later({ op: 'raise', line: l, slot, bits }, inUs)),
      weight: 14,
    },
    // Rare and long: a 140-change train at 1 µs outruns a 150 µs delivery latency or a flooded queue, and fills
    // the native module's ring (64 events); a short one is a burst of interrupts of their own.
    {
      arbitrary: fc.record({ op: fc.constant('pulses' as const), line: edgeLine, count: fc.constantFrom(24, 140), everyUs: fc.constantFrom(1, 4, 20) }),
      weight: 1,
    },
    { arbitrary: fc.record({ op: fc.constant('flood' as const), messages: fc.integer({ min: 1, max: 4 }), holdUs: fc.constantFrom(50, 300, 3000) }), weight: 3 },
    { arbitrary: fc.record({ op: fc.constant('probeEdge' as const), line: edgeLine, twice: fc.boolean() }), weight: 3 },
    { arbitrary: fc.record({ op: fc.constant('probeLevel' as const), line: levelLine, slot: slotArb }), weight: 3 },
    { arbitrary: fc.constantFrom(...ADVANCES).map((us): Cmd => ({ op: 'advance', us })), weight: 20 },
  );
}

/** The set-up: at most one well-formed request per line (each of which shrinking may drop). */
export const setupArb: fc.Arbitrary<RequestCmd[]> = fc
  .tuple(...LINE_NAMES.map((name) => fc.option(requestArb(fc.constant(name), true), { freq: 4 })))
  .map((requests) => requests.filter((r): r is RequestCmd => r !== null));

/** Up to `maxCommands` random commands, for fast-check's model-based runner. */
export function commandsArb(maxCommands: number) {
  return fc.commands([commandArb().map((cmd) => new BoardCommand(cmd))], { maxCommands, size: 'max' });
}
