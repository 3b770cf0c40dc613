import { PushButton } from '../../hal/mock/devices/button';
import { Simulator } from '../../hal/mock/sim';
import { type Level, Net } from '../../hal/mock/wire';

function record(sim: Simulator, net: Net): Array<[number, Level]> {
  const edges: Array<[number, Level]> = [];
  net.onChange((level) => edges.push([sim.now(), level]));
  return edges;
}

describe('PushButton', () => {
  test('puts a pull-up on a net that has none, so released reads 1', () => {
    const sim = new Simulator();
    const net = new Net('gpio0');
    new PushButton(sim, net);
    expect(net.pull).toBe('up');
    expect(net.level()).toBe(1);
  });

  test('a press goes low at once, bounces, and settles low exactly bounceUs later', async () => {
    const sim = new Simulator({ seed: 3 });
    const net = new Net('gpio0', { pull: 'up' });
    const button = new PushButton(sim, net, { bounces: 3, bounceUs: 2000 });
    const edges = record(sim, net);
    button.press();
    await sim.advance(5000);
    expect(edges.map(([, level]) => level)).toEqual([0, 1, 0, 1, 0, 1, 0]);
    expect(edges[0][0]).toBe(0);
    expect(edges[edges.length - 1][0]).toBe(2000);
    expect(edges.every(([t], i) => i === 0 || t >= edges[i - 1][0])).toBe(true);
    expect(net.level()).toBe(0);
    expect(button.transitions).toBe(7);
    expect(button.presses).toBe(1);
  });

  test('a release bounces too and settles high', async () => {
    const sim = new Simulator();
    const net = new Net('gpio0', { pull: 'up' });
    const button = new PushButton(sim, net, { bounces: 2, bounceUs: 1000 });
    button.press();
    await sim.advance(1000);
    const edges = record(sim, net);
    button.release();
    await sim.advance(999);
    await sim.advance(1);
    expect(edges.map(([, level]) => level)).toEqual([1, 0, 1, 0, 1]);
    expect(net.level()).toBe(1);
    expect(button.transitions).toBe(10);
  });

  test('the same seed gives the same bounce times; another seed gives others', async () => {
    const bounceTimes = async (seed: number): Promise<number[]> => {
      const sim = new Simulator({ seed });
      const net = new Net('gpio0', { pull: 'up' });
      const edges = record(sim, net);
      new PushButton(sim, net, { bounces: 5, bounceUs: 3000 }).click(10_000);
      await sim.runUntilIdle();
      return edges.map(([t]) => t);
    };
    const first = await bounceTimes(11);
    expect(first).toHaveLength(22);
    expect(await bounceTimes(11)).toEqual(first);
    expect(await bounceTimes(12)).not.toEqual(first);
  });

  test('with no bounces a press is a single clean edge', async () => {
    const sim = new Simulator();
    const net = new Net('gpio0', { pull: 'up' });
    const button = new PushButton(sim, net, { bounces: 0 });
    const edges = record(sim, net);
    button.press();
    await sim.runUntilIdle();
    expect(edges).toEqual([[0, 0]]);
  });

  test('a click presses, holds, and releases', async () => {
    const sim = new Simulator();
    const net = new Net('gpio0', { pull: 'up' });
    const button = new PushButton(sim, net, { bounces: 1, bounceUs: 500 });
    button.click(20_000);
    await sim.advance(10_000);
    expect(button.pressed).toBe(true);
    expect(net.level()).toBe(0);
    await sim.advance(20_000);
    expect(button.pressed).toBe(false);
    expect(net.level()).toBe(1);
    expect(button.presses).toBe(1);
  });

  test('transitions counts only changes it caused: a line held low by someone else does not move', async () => {
    const sim = new Simulator();
    const net = new Net('gpio0', { pull: 'up' });
    net.openDrain('other').assert();
    const button = new PushButton(sim, net);
    button.click(10_000);
    await sim.runUntilIdle();
    expect(button.transitions).toBe(0);
    expect(button.presses).toBe(1);
  });
});
