/*
 * Tracepoints (the kernel's irq_handler_entry/exit plus thread, mask and storm events) into a ring, and
 * their export to the Chrome Trace Event Format that Perfetto and chrome://tracing open.
 */
import { IRQ_HANDLED, IRQ_TRACE, IRQ_WAKE_THREAD, IRQF_ONESHOT, IrqError } from '../../firmware/irq';
import { makeLine } from '../helpers/fake-chip';
import { sleep } from '../helpers/threads';
import { checkChromeTrace } from '../helpers/chrome-trace';

describe('tracepoints', () => {
  test('off by default: the core has no tracer, and asking for events is EINVAL', () => {
    const { core } = makeLine();
    expect(core.tracer).toBeUndefined();
    expect(() => core.irqTraceEvents()).toThrow(IrqError);
  });

  test('a threaded oneshot interrupt records handler entry and exit, mask, wake, run and finish, in order', async () => {
    const { sim, core, irq } = makeLine({}, undefined, { trace: { capacity: 64 } });
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, async () => (await sleep(sim, 100), IRQ_HANDLED), IRQF_ONESHOT, 'sensor', 's');
    const before = core.irqTraceEvents().length;
    core.genericHandleIrq(irq);
    await sim.runUntilIdle();
    const kinds = core.irqTraceEvents().slice(before).map((e) => e.kind);
    expect(kinds).toEqual([
      IRQ_TRACE.MASK, IRQ_TRACE.HANDLER_ENTRY, IRQ_TRACE.HANDLER_EXIT, IRQ_TRACE.THREAD_WAKE, IRQ_TRACE.THREAD_RUN,
      IRQ_TRACE.THREAD_SLEEP, IRQ_TRACE.THREAD_FINISH, IRQ_TRACE.UNMASK,
    ]);
    const events = core.irqTraceEvents().slice(before);
    expect(events.find((e) => e.kind === IRQ_TRACE.HANDLER_EXIT)!.arg).toBe(IRQ_WAKE_THREAD);
    expect(events.find((e) => e.kind === IRQ_TRACE.THREAD_FINISH)!.timeUs - events.find((e) => e.kind === IRQ_TRACE.THREAD_RUN)!.timeUs).toBe(100);
  });

  test('the ring keeps the newest events and counts the ones it overwrote', () => {
    const { core, irq } = makeLine({}, undefined, { trace: { capacity: 8 } });
    core.requestIrq(irq, () => IRQ_HANDLED, 0, 'dev', 1);
    for (let i = 0; i < 10; i++) core.genericHandleIrq(irq);
    expect(core.irqTraceEvents()).toHaveLength(8);
    expect(core.tracer!.overwritten).toBeGreaterThan(0);
    expect(core.irqTraceChrome().otherData.overwritten).toBe(core.tracer!.overwritten);
  });

  test('irqTraceStop and irqTraceStart pause and resume recording', () => {
    const { core, irq } = makeLine({}, undefined, { trace: { capacity: 64 } });
    core.requestIrq(irq, () => IRQ_HANDLED, 0, 'dev', 1);
    const n = core.irqTraceEvents().length;
    core.irqTraceStop();
    core.genericHandleIrq(irq);
    expect(core.irqTraceEvents()).toHaveLength(n);
    core.irqTraceStart();
    core.genericHandleIrq(irq);
    expect(core.irqTraceEvents().length).toBeGreaterThan(n);
  });

  test('the Chrome export has a hardirq track and a track per thread, runs as complete events, and passes the format checks', async () => {
    const { sim, core, irq } = makeLine({}, undefined, { trace: { capacity: 256 } });
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, async () => (await sleep(sim, 250), IRQ_HANDLED), IRQF_ONESHOT, 'sensor', 's');
    for (let i = 0; i < 3; i++) {
      core.genericHandleIrq(irq);
      await sim.runUntilIdle();
    }
    const trace = core.irqTraceChrome('test');
    checkChromeTrace(trace);
    const tracks = trace.traceEvents.filter((e) => e.name === 'thread_name').map((e) => e.args!.name);
    expect(tracks).toEqual(['hardirq', `irq/${irq}-sensor`]);
    const runs = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'thread');
    expect(runs).toHaveLength(3);
    expect(runs.every((r) => r.dur === 250 && r.args!.irq === irq)).toBe(true);
    const handlers = trace.traceEvents.filter((e) => e.ph === 'X' && e.cat === 'hardirq');
    expect(handlers.map((h) => h.args!.action)).toEqual(['sensor', 'sensor', 'sensor']);
    expect(trace.traceEvents.filter((e) => e.ph === 'f')).toHaveLength(3);
  });
});

describe('latency statistics', () => {
  test('off by default; with stats on, a requested line reports hardirq-to-thread and thread run times', async () => {
    expect(makeLine().core.irqLatency(makeLine().irq)).toBeUndefined();
    const { sim, core, irq } = makeLine({}, undefined, { stats: true });
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, async () => (await sleep(sim, 400), IRQ_HANDLED), IRQF_ONESHOT, 'dev', 'd');
    for (let i = 0; i < 4; i++) {
      core.genericHandleIrq(irq, sim.now() - 30);
      await sim.runUntilIdle();
    }
    const l = core.irqLatency(irq)!;
    expect(l.threadRun).toEqual({ count: 4, p50Us: 400, p99Us: 400, maxUs: 400 });
    expect(l.edgeToHardirq).toMatchObject({ count: 4, maxUs: 30 });
    expect(l.edgeToThread).toMatchObject({ count: 4, maxUs: 30 });
    expect(l.hardirqToThread).toMatchObject({ count: 4, maxUs: 0 });
  });

  test('percentiles are the upper bounds of log buckets, never above the maximum', async () => {
    const { sim, core, irq } = makeLine({}, undefined, { stats: true });
    let n = 0;
    core.requestThreadedIrq(irq, () => IRQ_WAKE_THREAD, async () => (await sleep(sim, ++n * 10), IRQ_HANDLED), IRQF_ONESHOT, 'dev', 'd');
    for (let i = 0; i < 100; i++) {
      core.genericHandleIrq(irq);
      await sim.runUntilIdle();
    }
    const run = core.irqLatency(irq)!.threadRun;
    expect(run.maxUs).toBe(1000);
    expect(run.p50Us).toBeGreaterThanOrEqual(500);
    expect(run.p50Us).toBeLessThanOrEqual(500 * 1.19);
    expect(run.p99Us).toBeLessThanOrEqual(1000);
  });

  test('irqSpurious reports the window count, unhandled ones and when the last one was', () => {
    const { sim, core, irq } = makeLine();
    core.requestIrq(irq, () => 0, 0, 'deaf', 1);
    sim.spend(5);
    core.genericHandleIrq(irq);
    expect(core.irqSpurious(irq)).toEqual({ count: 1, unhandled: 1, unhandledTotal: 1, lastUnhandledUs: 5 });
  });
});
