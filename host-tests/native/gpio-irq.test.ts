/*
 * The native GPIO module (native/gpio-irq, the C the board builds) and its chip (hal/esp32/native-gpio.ts) on
 * the simulated board: the C compiled for the host, its ISR called by ESP-IDF's GPIO driver twin on the GPIO
 * peripheral model, its posts in the XS task's message queue fake (hal/mock/native/boot.ts).
 */
import {
  IRQ_HANDLED, IRQ_NONE, IRQF_ONESHOT, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING,
} from '../../firmware/irq';
import { bootNativeSimBoard, type NativeBootOptions } from '../../hal/mock/native/boot';

function boot(options: NativeBootOptions = {}) {
  const logs: string[] = [];
  const booted = bootNativeSimBoard({ seed: 3, ...options, log: (level, message) => logs.push(`${level}: ${message}`) });
  return { ...booted, logs };
}

afterEach(() => {
  // Every test's board used the spinlock as the board needs it (gpio_irq_host.c counts misuses).
  for (const native of used.splice(0)) expect(native.lockErrors()).toBe(0);
});
const used: { lockErrors(): number }[] = [];
function track<T extends { native: { lockErrors(): number } }>(booted: T): T {
  used.push(booted.native);
  return booted;
}

describe('native GPIO chip: edges', () => {
  test('a rising edge enters the handler once, with the time the ISR took', async () => {
    const s = track(boot({ core: { stats: true } }));
    const out = s.pin(4).pushPull('device');
    out.drive(0);
    const calls: number[] = [];
    s.core.requestIrq(s.gpioToIrq(4), () => (calls.push(s.sim.now()), IRQ_HANDLED), IRQF_TRIGGER_RISING, 'edge', {});
    await s.sim.advance(1_000);
    out.drive(1);
    const edgeAt = s.sim.now();
    await s.sim.advance(1_000);
    expect(calls).toHaveLength(1);
    expect(s.core.irqLatency(s.gpioToIrq(4))?.edgeToHardirq.count).toBe(1);
    expect(s.gpio.pinInfo(4)).toMatchObject({ events: 1, lineSeqno: 1, dropped: 0 });
    expect(calls[0]).toBeGreaterThanOrEqual(edgeAt);
  });

  test('edges of two pins in one batch cost one post, and keep their order', async () => {
    const s = track(boot({ latencyUs: 500 }));
    const a = s.pin(4).pushPull('a');
    const b = s.pin(5).pushPull('b');
    a.drive(0);
    b.drive(0);
    const order: number[] = [];
    s.core.requestIrq(s.gpioToIrq(4), () => (order.push(4), IRQ_HANDLED), IRQF_TRIGGER_RISING, 'a', {});
    s.core.requestIrq(s.gpioToIrq(5), () => (order.push(5), IRQ_HANDLED), IRQF_TRIGGER_RISING, 'b', {});
    await s.sim.advance(10);
    b.drive(1);
    await s.sim.advance(10);
    a.drive(1);
    await s.sim.advance(2_000);
    expect(order).toEqual([5, 4]);
    expect(s.gpio.nativeCounters()).toMatchObject({ seqno: 2, posts: 1, postFailures: 0, dropped: 0, queued: 0 });
  });

  test('a pin another IO object holds is refused with EBUSY, naming the pin', () => {
    const s = track(boot());
    const held = new s.provider.device.io.DigitalBank({ pins: 1 << 4, mode: s.provider.device.io.DigitalBank.Input });
    expect(() => s.core.requestIrq(s.gpioToIrq(4), () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'x', {})).toThrow(/GPIO4.*in use/);
    held.close();
    expect(() => s.core.requestIrq(s.gpioToIrq(4), () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'x', {})).not.toThrow();
  });
});

describe('native GPIO chip: real level triggers', () => {
  test('a level-low line is masked in the ISR and entered once per assertion by a oneshot thread', async () => {
    const s = track(boot());
    const net = s.pin(13);
    net.setPull('up');
    const device = net.openDrain('sensor INT');
    const irq = s.gpioToIrq(13);
    let served = 0;
    s.core.requestThreadedIrq(irq, null, () => {
      served++;
      device.release(); // reading the device clears its INT
      return IRQ_HANDLED;
    }, IRQF_TRIGGER_LOW | IRQF_ONESHOT, 'sensor', {});
    for (let i = 0; i < 5; i++) {
      device.assert();
      await s.sim.advance(5_000);
    }
    expect(served).toBe(5);
    expect(s.core.irqToDesc(irq)?.count).toBe(5);
    const words = new ArrayBuffer(12);
    s.native.module.lineCounters(13, words);
    // line_seqno 5, nothing dropped, the ISR masked the pin at each of the 5 assertions
    expect([...new Uint32Array(words)]).toEqual([5, 0, 5]);
  });

  test('a level still asserted at unmask enters again at once: no edge is needed', async () => {
    const s = track(boot());
    const net = s.pin(13);
    net.setPull('up');
    const device = net.openDrain('sensor INT');
    const irq = s.gpioToIrq(13);
    let runs = 0;
    s.core.requestThreadedIrq(irq, null, () => {
      runs++;
      if (runs === 3) device.release(); // the third read empties the device's FIFO
      return IRQ_HANDLED;
    }, IRQF_TRIGGER_LOW | IRQF_ONESHOT, 'fifo', {});
    device.assert();
    await s.sim.advance(10_000);
    expect(runs).toBe(3);
  });
});

/** 100 rising edges 40 µs apart on GPIO4, then long enough for a JavaScript thread 10 ms away to read them all. */
async function hundredPulses(s: ReturnType<typeof boot>, out: { drive(level: 0 | 1): void }): Promise<void> {
  await s.sim.advance(100);
  for (let i = 0; i < 100; i++) {
    out.drive(1);
    await s.sim.advance(20);
    out.drive(0);
    await s.sim.advance(20);
  }
  await s.sim.advance(50_000);
}

describe('native GPIO chip: nothing is silent', () => {
  test('a full ring drops the oldest events, counts them on their line, and the gap shows in line_seqno', async () => {
    // The JavaScript thread is 10 ms away: 100 edges reach a 64-event ring before it reads.
    const s = track(boot({ latencyUs: 10_000 }));
    const out = s.pin(4).pushPull('fast');
    out.drive(0);
    let calls = 0;
    s.core.requestIrq(s.gpioToIrq(4), () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'fast', {});
    await hundredPulses(s, out);
    const info = s.gpio.pinInfo(4);
    expect(info.lineSeqno).toBe(100);
    expect(info.dropped).toBe(36);
    expect(calls + info.dropped).toBe(100);
    expect(s.gpio.nativeCounters()).toMatchObject({ seqno: 100, dropped: 36, queued: 0 });
  });

  test('a line-event reader sees the ring\'s drops as a gap in line_seqno, and the interrupt table counts them under DROPPED', async () => {
    const s = track(boot({ latencyUs: 10_000 }));
    const out = s.pin(4).pushPull('fast');
    out.drive(0);
    const irq = s.gpioToIrq(4);
    const dev = {};
    s.core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'fast', dev);
    const events = s.core.irqRequestLineEvents(irq, dev, 128);
    await hundredPulses(s, out);
    const read: [number, number][] = [];
    while (events.next()) read.push([events.lineSeqno, events.missed]);
    expect(read).toHaveLength(64);
    expect(read[0]).toEqual([37, 36]);
    expect(read[63]).toEqual([100, 0]);
    expect(read.slice(1).every(([, missed]) => missed === 0)).toBe(true);
    const row = s.core.procInterrupts().split('\n').find((l) => l.trim().startsWith(`${irq} `))!;
    // IRQ COUNT UNHANDLED DEFERRED DROPPED MERGED
    expect(row.trim().split(/\s+/).slice(0, 6)).toEqual([String(irq), '64', '0', '0', '36', '0']);
  });

  test('a level line whose every event was dropped is still entered, so its masked pin is served', async () => {
    const s = track(boot({ latencyUs: 10_000 }));
    const out = s.pin(4).pushPull('fast');
    out.drive(0);
    s.core.requestIrq(s.gpioToIrq(4), () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'fast', {});
    const net = s.pin(13);
    net.setPull('up');
    const device = net.openDrain('sensor INT');
    let served = 0;
    s.core.requestThreadedIrq(s.gpioToIrq(13), null, () => (served++, device.release(), IRQ_HANDLED), IRQF_TRIGGER_LOW | IRQF_ONESHOT, 'sensor', {});
    await s.sim.advance(100);
    device.assert(); // one event, then 80 edges of GPIO4 push it out of the ring
    await s.sim.advance(10);
    for (let i = 0; i < 80; i++) {
      out.drive(1);
      await s.sim.advance(20);
      out.drive(0);
      await s.sim.advance(20);
    }
    await s.sim.advance(50_000);
    expect(s.gpio.pinInfo(13)).toMatchObject({ dropped: 1, droppedEntries: 1 });
    expect(served).toBe(1);
  });

  test('a post lost to a full message queue is undone; the next interrupt posts again', async () => {
    const s = track(boot({ latencyUs: 100, queueLength: 1 }));
    const out = s.pin(4).pushPull('device');
    out.drive(0);
    let calls = 0;
    s.core.requestIrq(s.gpioToIrq(4), () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING, 'x', {});
    s.provider.fakes.queue.post(() => {}, 50); // another poster fills the queue
    out.drive(1);
    await s.sim.advance(60);
    expect(s.gpio.nativeCounters().postFailures).toBe(1);
    out.drive(0);
    await s.sim.advance(1_000);
    expect(calls).toBe(2);
    expect(s.gpio.nativeCounters()).toMatchObject({ posts: 1, postFailures: 1, queued: 0 });
  });

  test('with no interrupt after a lost post, the check timer reads the ring within postCheckUs', async () => {
    const s = track(boot({ latencyUs: 100, queueLength: 1, gpio: { postCheckUs: 20_000 } }));
    const out = s.pin(4).pushPull('device');
    out.drive(0);
    let calls = 0;
    s.core.requestIrq(s.gpioToIrq(4), () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'x', {});
    s.provider.fakes.queue.post(() => {}, 50);
    out.drive(1);
    await s.sim.advance(1_000);
    expect(calls).toBe(0);
    await s.sim.advance(40_000);
    expect(calls).toBe(1);
    expect(s.gpio.stats.lostPostsFound).toBe(1);
  });
});

describe('native GPIO chip: masking', () => {
  test('edges while the line is disabled are replayed once at enable, and the masked pin takes no ISR after the first it reports', async () => {
    const s = track(boot());
    const out = s.pin(4).pushPull('device');
    out.drive(0);
    const irq = s.gpioToIrq(4);
    let calls = 0;
    s.core.requestIrq(irq, () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'x', {});
    s.core.disableIrq(irq);
    for (let i = 0; i < 3; i++) {
      out.drive(1);
      await s.sim.advance(100);
      out.drive(0);
      await s.sim.advance(100);
    }
    expect(calls).toBe(0);
    s.core.enableIrq(irq);
    await s.sim.advance(1_000);
    expect(calls).toBe(1);
    // The first edge reached the core, which masked the line (lazily: a flag in the C); the second found it
    // masked, was reported and disabled the pin; the third took no ISR at all.
    const words = new ArrayBuffer(12);
    s.native.module.lineCounters(4, words);
    expect([...new Uint32Array(words)]).toEqual([2, 0, 1]);
    expect(s.gpio.pinInfo(4)).toMatchObject({ pendingWhileMasked: 1, replays: 1 });
  });

  test('an unhandled level line is disabled by the spurious detector, not stormed by the ISR', async () => {
    const s = track(boot());
    const net = s.pin(13);
    net.setPull('up');
    net.openDrain('stuck').assert();
    const irq = s.gpioToIrq(13);
    s.core.requestThreadedIrq(irq, () => IRQ_NONE, null, IRQF_TRIGGER_LOW | IRQF_ONESHOT, 'deaf', {});
    await s.sim.advance(2_000_000);
    expect(s.logs.some((line) => /nobody cared/.test(line))).toBe(true);
  });
});
