import { PulseGenerator } from '../../hal/mock/devices/pulse';
import { Simulator } from '../../hal/mock/sim';
import { type Level, Net } from '../../hal/mock/wire';

function setup(): { sim: Simulator; net: Net; edges: Array<[number, Level]> } {
  const sim = new Simulator();
  const net = new Net('gpio5');
  const edges: Array<[number, Level]> = [];
  net.onChange((level) => edges.push([sim.now(), level]));
  return { sim, net, edges };
}

describe('PulseGenerator', () => {
  test('emits count pulses of widthUs every periodUs, then stops by itself', async () => {
    const { sim, net, edges } = setup();
    const gen = new PulseGenerator(sim, net, { periodUs: 1000, widthUs: 100, count: 3 });
    gen.start();
    await sim.runUntilIdle();
    expect(edges).toEqual([
      [0, 1],
      [100, 0],
      [1000, 1],
      [1100, 0],
      [2000, 1],
      [2100, 0],
    ]);
    expect(gen.pulses).toBe(3);
    expect(gen.running).toBe(false);
  });

  test('without a count it runs until stop(), which drives the output low at once', async () => {
    const { sim, net } = setup();
    const gen = new PulseGenerator(sim, net, { periodUs: 500, widthUs: 200 });
    gen.start();
    await sim.advance(10_100);
    expect(gen.pulses).toBe(21);
    expect(net.level()).toBe(1);
    gen.stop();
    expect(net.level()).toBe(0);
    await sim.runUntilIdle();
    expect(gen.pulses).toBe(21);
  });

  test('setPeriod moves the next rising edge to the last one plus the new period', async () => {
    const { sim, net, edges } = setup();
    const gen = new PulseGenerator(sim, net, { periodUs: 1000, widthUs: 100, count: 3 });
    gen.start();
    await sim.advance(500);
    gen.setPeriod(300);
    await sim.runUntilIdle();
    expect(edges.filter(([, level]) => level === 1).map(([t]) => t)).toEqual([0, 500, 800]);
  });

  test('drives the net low while idle', () => {
    const { sim, net } = setup();
    new PulseGenerator(sim, net, { periodUs: 1000, widthUs: 100 });
    expect(net.level()).toBe(0);
    expect(net.floating).toBe(false);
  });

  test('refuses a width that is not positive or not shorter than the period, and a bad count', () => {
    const { sim, net } = setup();
    expect(() => new PulseGenerator(sim, net, { periodUs: 100, widthUs: 100 })).toThrow(RangeError);
    expect(() => new PulseGenerator(sim, net, { periodUs: 100, widthUs: 0 })).toThrow(RangeError);
    expect(() => new PulseGenerator(sim, net, { periodUs: 100, widthUs: 10, count: 0 })).toThrow(RangeError);
    const gen = new PulseGenerator(sim, net, { periodUs: 100, widthUs: 10 });
    expect(() => gen.setPeriod(5)).toThrow(RangeError);
  });
});
