/*
 * Views and line handles (issue 13): what a driver is given cannot change the core.
 *
 * irqToDesc, irqThreads, irqRunnerStats, irqSpurious and irqLatency return frozen plain snapshots, so a write
 * through one throws in strict mode (or, in sloppy code, does nothing) and JSON.stringify accepts them.
 * requestThreadedIrqLine and its siblings return an IrqLine: its own irq and action, nothing else.
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, IRQF_ONESHOT, IRQF_SHARED, IrqError, IrqLine, type IrqCore,
} from '../../firmware/irq';
import { makeLine, makeLines } from '../helpers/fake-chip';
import { threadOf } from '../helpers/threads';

const wake = () => IRQ_WAKE_THREAD;

/** An assignment as a driver's (strict) module would make it; the directive makes it strict whatever the transform emits. */
function writeStrict(target: object, key: PropertyKey, value: unknown): void {
  'use strict';
  (target as Record<PropertyKey, unknown>)[key] = value;
}

/** Every object reachable from `value` is a frozen plain object or array, and every leaf a primitive. */
function expectFrozenPlainData(value: unknown, path = 'view'): void {
  if (value === null || typeof value !== 'object') {
    expect({ path, leaf: ['number', 'string', 'boolean', 'undefined'].includes(typeof value) || value === null }).toEqual({ path, leaf: true });
    return;
  }
  expect({ path, frozen: Object.isFrozen(value) }).toEqual({ path, frozen: true });
  const proto = Object.getPrototypeOf(value);
  expect({ path, plain: proto === Object.prototype || proto === Array.prototype }).toEqual({ path, plain: true });
  for (const key of Reflect.ownKeys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, key)!;
    expect({ path, key: String(key), accessor: d.get !== undefined || d.set !== undefined }).toEqual({ path, key: String(key), accessor: false });
    expectFrozenPlainData(d.value, `${path}.${String(key)}`);
  }
}

/** Every writable-looking key of every object in `value`, set through Reflect.set (sloppy code's write). */
function writeEverywhere(value: unknown, seen = new Set<unknown>()): boolean[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return [];
  seen.add(value);
  const results: boolean[] = [];
  for (const key of Reflect.ownKeys(value)) {
    const inner = (value as Record<PropertyKey, unknown>)[key];
    results.push(...writeEverywhere(inner, seen));
    results.push(Reflect.set(value, key, typeof inner === 'number' ? 1000 : 'written'));
  }
  results.push(Reflect.set(value, 'added', 1));
  return results;
}

/** A threaded line with stats on, that has run a few interrupts and one unclaimed one, so every view has content. */
function busyLine() {
  const made = makeLine({}, undefined, { stats: true });
  const { core, irq } = made;
  const dev = { name: 'sensor' };
  let claim = true;
  core.requestThreadedIrq(irq, () => (claim ? IRQ_WAKE_THREAD : IRQ_NONE), () => IRQ_HANDLED, IRQF_ONESHOT, 'sensor', dev);
  return { ...made, dev, unclaimNext: () => (claim = false) };
}

async function withTraffic() {
  const line = busyLine();
  line.core.genericHandleIrq(line.irq);
  await line.sim.runUntilIdle();
  line.unclaimNext();
  line.core.genericHandleIrq(line.irq);
  await line.sim.runUntilIdle();
  return line;
}

const VIEWS: readonly [string, (core: IrqCore, irq: number) => unknown][] = [
  ['irqToDesc', (core, irq) => core.irqToDesc(irq)],
  ['irqThreads', (core) => core.irqThreads()],
  ['irqRunnerStats', (core) => core.irqRunnerStats()],
  ['irqSpurious', (core, irq) => core.irqSpurious(irq)],
  ['irqLatency', (core, irq) => core.irqLatency(irq)],
];

describe('views: what irqToDesc, irqThreads, irqRunnerStats, irqSpurious and irqLatency return', () => {
  test.each(VIEWS)('%s returns plain data, frozen all the way down', async (_name, view) => {
    const { core, irq } = await withTraffic();
    const v = view(core, irq);
    expect(v).toBeDefined();
    expectFrozenPlainData(v);
  });

  test.each(VIEWS)('%s: a write to any field, in sloppy code, is refused and the core is unchanged', async (_name, view) => {
    const { core, irq } = await withTraffic();
    const before = view(core, irq);
    const results = writeEverywhere(before);
    expect(results.length).toBeGreaterThan(1);
    expect(results.every((ok) => ok === false)).toBe(true);
    expect(view(core, irq)).toEqual(before);
  });

  test.each(VIEWS)('%s goes through JSON.stringify', async (_name, view) => {
    const { core, irq } = await withTraffic();
    const text = JSON.stringify(view(core, irq));
    expect(typeof JSON.parse(text)).toBe('object');
  });

  test('writing depth through irqToDesc throws in strict mode, and the core keeps its own count', () => {
    const { core, irq, logs } = busyLine();
    const desc = core.irqToDesc(irq)!;
    expect(() => writeStrict(desc, 'depth', 7)).toThrow(TypeError);
    expect(core.irqToDesc(irq)!.depth).toBe(0);
    // The core's balance is the one it counted: one enable too many is still the unbalanced one.
    core.enableIrq(irq);
    expect(logs).toContainEqual({ level: 'warn', message: `Unbalanced enable for IRQ ${irq}` });
  });

  test('the actions list of irqToDesc cannot be pushed to or overwritten', () => {
    const { core, irq } = busyLine();
    const actions = core.irqToDesc(irq)!.actions as string[];
    expect(() => actions.push('intruder')).toThrow(TypeError);
    expect(() => writeStrict(actions, 0, 'intruder')).toThrow(TypeError);
    expect(core.irqToDesc(irq)!.actions).toEqual(['sensor']);
  });

  test('writing priority 1000 through irqThreads throws; the priority is only set through irqSetThreadPriority and its 1..99 check', () => {
    const { core, irq, dev } = busyLine();
    const t = core.irqThreads()[0];
    expect(() => writeStrict(t, 'priority', 1000)).toThrow(TypeError);
    expect(() => writeStrict(core.irqThreads(), 0, { ...t, priority: 1000 })).toThrow(TypeError);
    expect(threadOf(core, `irq/${irq}-sensor`).priority).toBe(50);
    expect(() => core.irqSetThreadPriority(irq, dev, 1000)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  test('irqThreads goes through JSON.stringify (its live threads point back at the core)', () => {
    const { core, irq } = busyLine();
    expect(JSON.parse(JSON.stringify(core.irqThreads()))).toEqual([
      expect.objectContaining({ name: `irq/${irq}-sensor`, irq, irqs: [irq], priority: 50, state: 'idle' }),
    ]);
  });

  test('irqToDesc goes through JSON.stringify with every field drivers read', () => {
    const { core, irq } = busyLine();
    expect(JSON.parse(JSON.stringify(core.irqToDesc(irq)))).toMatchObject({
      irq, depth: 0, count: 0, disabled: false, masked: false, actions: ['sensor'], chipName: 'fake', threadsActive: 0,
    });
  });

  test('a view is a copy taken when asked: a later change shows in the next call, not in the one held', async () => {
    const { core, irq, sim } = busyLine();
    const held = core.irqToDesc(irq)!;
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(held.count).toBe(0);
    expect(core.irqToDesc(irq)!.count).toBe(1);
  });

  test('two calls give two snapshots, not one shared object', () => {
    const { core, irq } = busyLine();
    expect(core.irqToDesc(irq)).not.toBe(core.irqToDesc(irq));
    expect(core.irqThreads()[0]).not.toBe(core.irqThreads()[0]);
  });
});

/** Two lines on one chip; the first requested through a line handle, shared with a second driver. */
function sharedLines() {
  const made = makeLines(2);
  const [irq, other] = made.irqs;
  const devA = { name: 'a' };
  const devB = { name: 'b' };
  const ran: string[] = [];
  const a = made.core.requestThreadedIrqLine(irq, wake, () => (ran.push('a'), IRQ_HANDLED), IRQF_SHARED | IRQF_ONESHOT, 'a', devA);
  const b = made.core.requestThreadedIrqLine(irq, wake, () => (ran.push('b'), IRQ_HANDLED), IRQF_SHARED | IRQF_ONESHOT, 'b', devB);
  return { ...made, irq, other, a, b, devA, devB, ran };
}

const SYNC_METHODS = ['enableIrq', 'disableIrqNosync', 'disableHardirq', 'irqWakeThread'] as const;
const ASYNC_METHODS = ['disableIrq', 'synchronizeIrq', 'freeIrq'] as const;
/** Methods that take one argument of the driver's own (a buffer size, a debounce period): no irq, no devId. */
const ARG_METHODS = ['requestLineEvents', 'setDebounce'] as const;

describe('line handles: requestThreadedIrqLine, requestIrqLine, requestIrqSharedThreadLine', () => {
  test('requestThreadedIrqLine registers the action as requestThreadedIrq does and returns an IrqLine bound to its irq', () => {
    const { core, irq, a } = sharedLines();
    expect(a).toBeInstanceOf(IrqLine);
    expect(a.irq).toBe(irq);
    expect(a.name).toBe('a');
    expect(a.requested).toBe(true);
    expect(core.irqToDesc(irq)!.actions).toEqual(['a', 'b']);
    expect(core.irqThreads().map((t) => t.name)).toEqual([`irq/${irq}-a`, `irq/${irq}-b`]);
  });

  test('requestIrqLine gives a line for a handler-only action', () => {
    const { core, irq } = makeLine();
    const line = core.requestIrqLine(irq, () => IRQ_HANDLED, 0, 'plain', 1);
    line.disableIrqNosync();
    expect(core.irqToDesc(irq)!.depth).toBe(1);
  });

  test('requestIrqSharedThreadLine gives a line whose irqWakeThread runs in the shared thread', async () => {
    const { core, sim, irqs } = makeLines(1);
    let ran = 0;
    const line = core.requestIrqSharedThreadLine(irqs[0], wake, () => (ran++, IRQ_HANDLED), IRQF_ONESHOT, 'dev', 1, 3);
    line.irqWakeThread();
    await sim.runUntilIdle();
    expect(ran).toBe(1);
    expect(threadOf(core, 'irq/shared-3').runs).toBe(1);
  });

  test('a request that fails throws as the plain request does, and registers nothing', () => {
    const { core, irq } = sharedLines();
    expect(() => core.requestThreadedIrqLine(irq, wake, () => IRQ_HANDLED, IRQF_ONESHOT, 'c', { name: 'c' })).toThrow(
      expect.objectContaining({ code: 'EBUSY' }),
    );
    expect(core.irqToDesc(irq)!.actions).toEqual(['a', 'b']);
  });

  test('disableIrqNosync and enableIrq through the line change the depth of its line and no other', () => {
    const { core, irq, other, a } = sharedLines();
    a.disableIrqNosync();
    expect(core.irqToDesc(irq)).toMatchObject({ depth: 1, disabled: true });
    expect(core.irqToDesc(other)!.depth).toBe(1); // never requested: the depth a new line has
    a.enableIrq();
    expect(core.irqToDesc(irq)).toMatchObject({ depth: 0, disabled: false });
    expect(core.irqToDesc(other)!.depth).toBe(1);
  });

  test('an argument naming another irq is ignored: the line acts on its own irq only', () => {
    const { core, irq, other, a } = sharedLines();
    (a.disableIrqNosync as (irq: number) => void)(other);
    expect(core.irqToDesc(irq)!.depth).toBe(1);
    expect(core.irqToDesc(other)!.depth).toBe(1);
  });

  test('disableIrq through the line resolves once its threads are done', async () => {
    const { core, sim, irq, a, ran } = sharedLines();
    core.genericHandleIrq(irq);
    const disabled = a.disableIrq().then(() => [...ran]);
    await sim.runUntilIdle();
    await expect(disabled).resolves.toEqual(['a', 'b']);
    expect(core.irqToDesc(irq)!.depth).toBe(1);
  });

  test('synchronizeIrq through the line goes through the core\'s checks: from its own thread it rejects with EDEADLK', async () => {
    const { core, sim, irqs } = makeLines(1);
    let result: Promise<unknown> | undefined;
    const line: IrqLine = core.requestThreadedIrqLine(irqs[0], wake, () => {
      result = line.synchronizeIrq().then(() => 'resolved', (err: unknown) => err);
      return IRQ_HANDLED;
    }, IRQF_ONESHOT, 'self', 1);
    core.genericHandleIrq(irqs[0]);
    await sim.runUntilIdle();
    await expect(result).resolves.toMatchObject({ code: 'EDEADLK' });
  });

  test('irqWakeThread through the line wakes its own action\'s thread, not its sharer\'s', async () => {
    const { sim, b, ran } = sharedLines();
    b.irqWakeThread();
    await sim.runUntilIdle();
    expect(ran).toEqual(['b']);
  });

  test('freeIrq through the line frees only its own action: the sharer stays and is still served', async () => {
    const { core, sim, irq, a, ran } = sharedLines();
    await expect(a.freeIrq()).resolves.toBe('a');
    expect(core.irqToDesc(irq)!.actions).toEqual(['b']);
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    expect(ran).toEqual(['b']);
  });

  test('a line has no property that leads to the core, another irq or a devId', () => {
    const { a, irq } = sharedLines();
    expect(Object.getOwnPropertyNames(a).sort()).toEqual(['irq', 'name']);
    expect(Object.getOwnPropertySymbols(a)).toEqual([]);
    expect(JSON.stringify(a)).toBe(`{"irq":${irq},"name":"a"}`);
    const methods = Object.getOwnPropertyNames(IrqLine.prototype).filter((k) => k !== 'constructor' && k !== 'requested');
    expect(methods.sort()).toEqual([...SYNC_METHODS, ...ASYNC_METHODS, ...ARG_METHODS].sort());
    for (const m of methods) {
      const parameters = (ARG_METHODS as readonly string[]).includes(m) ? 1 : 0;
      expect({ m, parameters: (IrqLine.prototype as unknown as Record<string, () => unknown>)[m].length }).toEqual({ m, parameters });
    }
  });

  test('a line is frozen: its holder cannot replace its methods or its irq', () => {
    const { a, irq } = sharedLines();
    expect(Object.isFrozen(a)).toBe(true);
    expect(() => writeStrict(a, 'irq', irq + 1)).toThrow(TypeError);
    expect(() => writeStrict(a, 'freeIrq', () => Promise.resolve('x'))).toThrow(TypeError);
  });

  test.each(SYNC_METHODS)('a freed line refuses %s with EINVAL naming its irq and action', async (method) => {
    const { irq, a } = sharedLines();
    await a.freeIrq();
    expect(a.requested).toBe(false);
    let error: unknown;
    try {
      a[method]();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(IrqError);
    expect(error).toMatchObject({ code: 'EINVAL', irq, message: expect.stringMatching(new RegExp(`irq ${irq}: ${method} through the line of "a", whose action was freed`)) });
  });

  test.each(ARG_METHODS)('a freed line refuses %s with EINVAL naming its irq and action', async (method) => {
    const { irq, a } = sharedLines();
    await a.freeIrq();
    expect(() => a[method](1)).toThrow(expect.objectContaining({
      code: 'EINVAL', irq, message: expect.stringMatching(`${method} through the line of "a", whose action was freed`),
    }));
  });

  test.each(ASYNC_METHODS)('a freed line rejects %s with EINVAL naming its irq and action', async (method) => {
    const { irq, a } = sharedLines();
    void a.freeIrq();
    await expect(a[method]()).rejects.toMatchObject({ code: 'EINVAL', irq, message: expect.stringMatching(`${method} through the line of "a", whose action was freed`) });
  });

  test('a line whose action the board freed with core.freeIrq refuses too, and never reaches an action requested again with the same devId', async () => {
    const { core, irq, a, devA } = sharedLines();
    await core.freeIrq(irq, devA);
    const again = core.requestThreadedIrqLine(irq, wake, () => IRQ_HANDLED, IRQF_SHARED | IRQF_ONESHOT, 'a2', devA);
    expect(() => a.disableIrqNosync()).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    await expect(a.freeIrq()).rejects.toMatchObject({ code: 'EINVAL' });
    expect(core.irqToDesc(irq)).toMatchObject({ depth: 0, actions: ['b', 'a2'] });
    expect(again.requested).toBe(true);
  });
});
