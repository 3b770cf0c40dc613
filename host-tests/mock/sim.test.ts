import { Simulator } from '../../hal/mock/sim';

describe('Simulator', () => {
  test('runs events in time order, and in insertion order at equal times', async () => {
    const sim = new Simulator();
    const order: string[] = [];
    sim.at(20, () => order.push('b@20'));
    sim.at(10, () => order.push('a@10'));
    sim.at(20, () => order.push('c@20'));
    sim.after(5, () => order.push('first@5'));
    await sim.advance(100);
    expect(order).toEqual(['first@5', 'a@10', 'b@20', 'c@20']);
    expect(sim.eventsRun).toBe(4);
  });

  test('each event sees the clock at its own time, and advance ends at now + us', async () => {
    const sim = new Simulator();
    const seen: number[] = [];
    sim.at(7, () => seen.push(sim.now()));
    sim.at(30, () => seen.push(sim.now()));
    await sim.advance(50);
    expect(seen).toEqual([7, 30]);
    expect(sim.now()).toBe(50);
  });

  test('events after the window stay queued for a later advance', async () => {
    const sim = new Simulator();
    const ran: number[] = [];
    sim.at(10, () => ran.push(10));
    sim.at(11, () => ran.push(11));
    await sim.advance(10);
    expect(ran).toEqual([10]);
    expect(sim.pending).toBe(1);
    await sim.advance(1);
    expect(ran).toEqual([10, 11]);
  });

  test('defer runs at the current time after events already queued for it, first in first out', async () => {
    const sim = new Simulator();
    const order: string[] = [];
    sim.at(5, () => {
      order.push('event');
      sim.defer(() => order.push(`deferred 1 @${sim.now()}`));
      sim.defer(() => order.push(`deferred 2 @${sim.now()}`));
    });
    sim.at(5, () => order.push('queued earlier @5'));
    sim.at(6, () => order.push('later @6'));
    await sim.advance(10);
    expect(order).toEqual(['event', 'queued earlier @5', 'deferred 1 @5', 'deferred 2 @5', 'later @6']);
  });

  test('an event scheduled for the current time from inside an event runs in the same advance', async () => {
    const sim = new Simulator();
    let ranAt = -1;
    sim.at(10, () => sim.after(0, () => (ranAt = sim.now())));
    await sim.advance(10);
    expect(ranAt).toBe(10);
  });

  test('promise continuations run before the next event, and may schedule events in the same advance', async () => {
    const sim = new Simulator();
    const log: string[] = [];
    let wake: () => void = () => {};
    const waiting = new Promise<void>((resolve) => (wake = resolve));
    void (async () => {
      await waiting;
      log.push(`continuation @${sim.now()}`);
      sim.after(0, () => log.push(`scheduled by continuation @${sim.now()}`));
    })();
    sim.at(10, () => {
      log.push('resolver @10');
      wake();
    });
    sim.at(10, () => log.push('next event @10'));
    await sim.advance(10);
    expect(log).toEqual([
      'resolver @10',
      'continuation @10',
      'next event @10',
      'scheduled by continuation @10',
    ]);
  });

  test('a long chain of awaits finishes before the clock moves to the next event', async () => {
    const sim = new Simulator();
    let finishedAt = -1;
    sim.at(1, () => {
      void (async () => {
        for (let i = 0; i < 500; i++) await Promise.resolve();
        finishedAt = sim.now();
      })();
    });
    sim.at(2, () => {});
    await sim.advance(5);
    expect(finishedAt).toBe(1);
  });

  test('a continuation of the last event in the window still sees that event\'s time, not the end of the window', async () => {
    const sim = new Simulator();
    let seenAt = -1;
    sim.at(3, () => {
      void Promise.resolve().then(() => (seenAt = sim.now()));
    });
    await sim.advance(100);
    expect(seenAt).toBe(3);
    expect(sim.now()).toBe(100);
  });

  test('time never moves backwards: a time in the past or a negative delay is a RangeError', async () => {
    const sim = new Simulator();
    await sim.advance(100);
    expect(() => sim.at(99, () => {})).toThrow(RangeError);
    expect(() => sim.after(-1, () => {})).toThrow(RangeError);
    await expect(sim.advance(-1)).rejects.toThrow(RangeError);
    expect(() => sim.at(100, () => {})).not.toThrow();
    expect(sim.now()).toBe(100);
  });

  test('a cancelled timer does not run and does not count', async () => {
    const sim = new Simulator();
    let ran = false;
    const timer = sim.after(10, () => (ran = true));
    sim.cancel(timer);
    sim.cancel(timer);
    await sim.advance(20);
    expect(ran).toBe(false);
    expect(timer.cancelled).toBe(true);
    expect(sim.eventsRun).toBe(0);
    expect(sim.pending).toBe(0);
  });

  test('an event that throws rejects advance, leaving the clock at that event and the rest of the queue intact', async () => {
    const sim = new Simulator();
    const ran: number[] = [];
    sim.at(10, () => {
      throw new Error('device fault');
    });
    sim.at(20, () => ran.push(20));
    await expect(sim.advance(50)).rejects.toThrow('device fault');
    expect(sim.now()).toBe(10);
    expect(sim.pending).toBe(1);
    await sim.advance(40);
    expect(ran).toEqual([20]);
    expect(sim.now()).toBe(50);
  });

  test('advance refuses to run while another advance is running', async () => {
    const sim = new Simulator();
    let nested: unknown;
    sim.at(1, () => {
      sim.advance(1).catch((error: unknown) => (nested = error));
    });
    await sim.advance(5);
    expect(nested).toBeInstanceOf(Error);
    expect(String(nested)).toMatch(/already running/);
  });

  test('runUntilIdle runs everything, chained events included, and stops at the last one', async () => {
    const sim = new Simulator();
    let hops = 0;
    const hop = (): void => {
      if (++hops < 5) sim.after(100, hop);
    };
    sim.after(100, hop);
    await sim.runUntilIdle();
    expect(hops).toBe(5);
    expect(sim.now()).toBe(500);
    expect(sim.pending).toBe(0);
  });

  test('runUntilIdle fails loudly on a periodic timer that never stops, naming the events run', async () => {
    const sim = new Simulator();
    const tick = (): void => void sim.after(1000, tick);
    sim.after(1000, tick);
    await expect(sim.runUntilIdle({ maxUs: 50_000 })).rejects.toThrow(/50000 µs.*50 events/);
  });

  test('runUntilIdle fails loudly on a storm of same-time events past maxEvents', async () => {
    const sim = new Simulator();
    const storm = (): void => sim.defer(storm);
    sim.defer(storm);
    await expect(sim.runUntilIdle({ maxEvents: 1000 })).rejects.toThrow(/after 1000 events/);
    expect(sim.now()).toBe(0);
  });

  test('random is deterministic per seed and stays in [0, 1)', () => {
    const draw = (seed: number): number[] => {
      const sim = new Simulator({ seed });
      return Array.from({ length: 1000 }, () => sim.random());
    };
    const a = draw(42);
    expect(draw(42)).toEqual(a);
    expect(draw(43)).not.toEqual(a);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  test('platform is a frozen, bound view of now and defer', async () => {
    const sim = new Simulator();
    const { now, defer } = sim.platform;
    expect(Object.isFrozen(sim.platform)).toBe(true);
    await sim.advance(25);
    expect(now()).toBe(25);
    let deferredAt = -1;
    defer(() => (deferredAt = sim.now()));
    await sim.advance(0);
    expect(deferredAt).toBe(25);
  });

  test('100,000 timers scheduled in random order run in (time, insertion) order', async () => {
    const sim = new Simulator({ seed: 7 });
    const n = 100_000;
    const ran: Array<[number, number]> = [];
    for (let i = 0; i < n; i++) {
      const time = Math.floor(sim.random() * 10_000);
      sim.at(time, () => ran.push([time, i]));
    }
    await sim.runUntilIdle();
    expect(ran).toHaveLength(n);
    const inOrder = ran.every(([t, i], k) => k === 0 || t > ran[k - 1][0] || (t === ran[k - 1][0] && i > ran[k - 1][1]));
    expect(inOrder).toBe(true);
  });

  test('without setImmediate (as on XS), short await chains still finish before the next event', async () => {
    const host = globalThis as { setImmediate?: unknown };
    const saved = host.setImmediate;
    let Isolated: typeof Simulator = Simulator;
    host.setImmediate = undefined;
    try {
      jest.isolateModules(() => {
        Isolated = jest.requireActual<typeof import('../../hal/mock/sim')>('../../hal/mock/sim').Simulator;
      });
    } finally {
      host.setImmediate = saved;
    }
    expect(Isolated).not.toBe(Simulator);
    const sim = new Isolated();
    const log: string[] = [];
    sim.at(1, () => {
      void (async () => {
        for (let i = 0; i < 10; i++) await Promise.resolve();
        log.push(`chain done @${sim.now()}`);
      })();
    });
    sim.at(1, () => log.push('next event @1'));
    await sim.advance(2);
    expect(log).toEqual(['chain done @1', 'next event @1']);
  });
});
