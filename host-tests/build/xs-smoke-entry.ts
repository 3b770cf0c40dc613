/*
 * The device build's smoke program: runs inside an xsnap worker (build/device/xs-smoke.mjs bundles it with the
 * modules the build emitted, not the TypeScript sources). By the time main() runs, every emitted module has
 * been evaluated, as preload does at build time; main() then freezes what preload freezes (the built-ins and
 * every export of every module), and only then uses the core: an irq on a chip, a request, an interrupt, a
 * threaded request, an IrqError on frozen prototypes. It reports once, {type: 'report', ...}, to the Node side.
 */
import type * as Irq from '../../firmware/irq';
import { freezeLikePreload, send, xsnapGlobals } from '../xs/xs-globals';

/** The checks the smoke program reports, in order (host-tests/build/device-build.test.ts expects each). */
export const SMOKE_CHECKS = [
  'a requested handler runs when its irq is raised',
  'the flow handler acked the chip and counted the interrupt',
  'a threaded request runs its thread function after its primary handler',
  'a oneshot line stays masked until its thread is done',
  'freeIrq resolves to the action name once nothing of it runs',
  'procInterrupts lists the requests',
  'a bad request throws an IrqError named IrqError with its code',
  'an IrqError made after the freeze reads its name from its prototype getter',
  'the core classes and Error.prototype are frozen',
] as const;

export type SmokeCheck = (typeof SMOKE_CHECKS)[number];

export interface SmokeReport {
  type: 'report';
  modules: string[];
  frozen: { builtins: number; exports: number };
  /** `module.export` of every export that freezeLikePreload left unfrozen (none expected). */
  notFrozen: string[];
  checks: { name: SmokeCheck; ok: boolean; detail?: string }[];
  /** An exception that stopped the program. */
  error?: string;
  logs: string[];
}

function describeError(err: unknown): string {
  if (err instanceof Error) return typeof err.stack === 'string' && err.stack ? `${err.name}: ${err.message}\n${err.stack}` : `${err.name}: ${err.message}`;
  return String(err);
}

export async function main(modules: Readonly<Record<string, object>>): Promise<void> {
  const xs = xsnapGlobals();
  const { notFrozen, ...frozen } = freezeLikePreload(xs, modules);
  const report: SmokeReport = { type: 'report', modules: Object.keys(modules), frozen, notFrozen, checks: [], logs: [] };
  const check = (name: SmokeCheck, ok: boolean, detail?: unknown): void => {
    report.checks.push(ok ? { name, ok } : { name, ok, detail: typeof detail === 'string' ? detail : JSON.stringify(detail) });
  };
  try {
    await smoke(modules, check, report.logs);
  } catch (err) {
    report.error = describeError(err);
  }
  send(xs, report);
}

async function smoke(
  modules: Readonly<Record<string, object>>, check: (name: SmokeCheck, ok: boolean, detail?: unknown) => void, logs: string[],
): Promise<void> {
  const irq = modules['genirq/irq'] as typeof Irq | undefined;
  if (irq === undefined) throw new Error('the build emitted no genirq/irq');
  const { IrqCore, IrqError, IRQ_HANDLED, IRQ_WAKE_THREAD, IRQF_ONESHOT, IRQF_TRIGGER_RISING, handleEdgeIrq, handleLevelIrq } = irq;

  // A platform whose deferred calls run when settle() says, on a clock that stands still.
  const deferred: (() => void)[] = [];
  const platform: Irq.Platform = { now: () => 0, defer: (cb) => void deferred.push(cb) };
  const settle = async (): Promise<void> => {
    for (let turn = 0; turn < 20; turn++) {
      while (deferred.length > 0) deferred.shift()!();
      await Promise.resolve();
    }
  };
  const core = new IrqCore({ platform, log: (level, message) => void logs.push(`${level}: ${message}`) });

  // A chip that records its calls (created after the freeze: it is runtime state, as on the board).
  const calls: string[] = [];
  const chip: Irq.IrqChip = {
    name: 'smoke',
    irqAck: (d) => void calls.push(`ack:${d.irq}`),
    irqMask: (d) => void calls.push(`mask:${d.irq}`),
    irqUnmask: (d) => void calls.push(`unmask:${d.irq}`),
    irqSetType: () => {},
  };

  const edge = core.irqAllocDesc();
  core.irqSetChipAndHandler(edge, chip, handleEdgeIrq);
  const seen: unknown[] = [];
  const button = { name: 'button' };
  core.requestIrq(edge, (n, dev) => (seen.push([n, dev === button]), IRQ_HANDLED), IRQF_TRIGGER_RISING, 'smoke-button', button);
  core.genericHandleIrq(edge);
  check('a requested handler runs when its irq is raised', seen.length === 1 && JSON.stringify(seen[0]) === JSON.stringify([edge, true]), seen);
  const info = core.irqToDesc(edge);
  check('the flow handler acked the chip and counted the interrupt', calls.includes(`ack:${edge}`) && info?.count === 1, { calls, count: info?.count });

  const level = core.irqAllocDesc();
  core.irqSetChipAndHandler(level, chip, handleLevelIrq);
  const order: string[] = [];
  const sensor = { name: 'sensor' };
  core.requestThreadedIrq(level, () => (order.push('primary'), IRQ_WAKE_THREAD), () => (order.push('thread'), IRQ_HANDLED), IRQF_ONESHOT, 'smoke-sensor', sensor);
  calls.length = 0;
  core.genericHandleIrq(level);
  const maskedBeforeThread = core.irqToDesc(level)?.masked === true && !order.includes('thread');
  await settle();
  check('a threaded request runs its thread function after its primary handler', order.join(',') === 'primary,thread', order);
  check('a oneshot line stays masked until its thread is done', maskedBeforeThread && core.irqToDesc(level)?.masked === false && calls.includes(`unmask:${level}`), { maskedBeforeThread, calls, after: core.irqToDesc(level) });

  let freed: unknown = 'pending';
  core.freeIrq(level, sensor).then((name) => void (freed = name), (err: unknown) => void (freed = `rejected: ${describeError(err)}`));
  await settle();
  check('freeIrq resolves to the action name once nothing of it runs', freed === 'smoke-sensor', freed);

  const table = core.procInterrupts();
  check('procInterrupts lists the requests', table.includes('smoke-button'), table);

  let thrown: unknown;
  try {
    core.requestIrq(level, () => IRQ_HANDLED, 0x7fffffff, 'bad-flags', sensor);
  } catch (err) {
    thrown = err;
  }
  check(
    'a bad request throws an IrqError named IrqError with its code',
    thrown instanceof IrqError && thrown.name === 'IrqError' && thrown.code === 'EINVAL' && String(thrown).startsWith('IrqError: EINVAL'),
    thrown instanceof Error ? { name: thrown.name, message: thrown.message } : String(thrown),
  );

  const made = new IrqError('EBUSY', 'irq 3: taken', 3);
  check(
    'an IrqError made after the freeze reads its name from its prototype getter',
    made.name === 'IrqError' && !Object.prototype.hasOwnProperty.call(made, 'name') && made.message === 'EBUSY: irq 3: taken' && made.irq === 3,
    { name: made.name, message: made.message },
  );

  check(
    'the core classes and Error.prototype are frozen',
    [IrqCore, IrqCore.prototype, IrqError, IrqError.prototype, Error.prototype, Object.getPrototypeOf(IrqError.prototype)].every((o) => Object.isFrozen(o)),
  );
}
