/*
 * The push-button driver on the simulated board: a bouncing button on a GPIO pin, the board's GPIO irq_chip.
 */
import { Button, type ButtonPress } from '../../firmware/drivers/button';
import { SimBoard } from '../../hal/mock/board';
import { PushButton } from '../../hal/mock/devices';
import type { LogEntry } from '../helpers/fake-chip';

const PIN = 0;
const DEBOUNCE_US = 5_000;

interface Seen extends ButtonPress {
  /** When onPress ran. */
  readonly calledUs: number;
}

function setup(buttonOptions: { bounces?: number; bounceUs?: number } = { bounces: 3, bounceUs: 2_000 }) {
  const logs: LogEntry[] = [];
  const board = new SimBoard({ seed: 11, log: (level, message) => logs.push({ level, message }) });
  const { sim, core } = board;
  const net = board.pin(PIN);
  const contact = new PushButton(sim, net, buttonOptions);
  const irq = board.gpioToIrq(PIN);
  const seen: Seen[] = [];
  const button = new Button({
    core,
    irq,
    readPin: () => net.level(),
    debounceUs: DEBOUNCE_US,
    onPress: (press) => seen.push({ ...press, calledUs: sim.now() }),
  });
  button.probe();
  let fallingEdges = 0;
  net.onChange((level) => {
    if (level === 0) fallingEdges++;
  });
  return { board, sim, core, net, contact, irq, button, seen, logs, falling: () => fallingEdges };
}

describe('Button driver', () => {
  test('a click that bounces is reported as one press', async () => {
    const { sim, contact, button, seen } = setup();
    sim.at(10_000, () => contact.click(50_000));
    await sim.advance(200_000);
    expect(contact.transitions).toBeGreaterThan(2);
    expect(seen).toHaveLength(1);
    expect(button.presses).toBe(1);
  });

  test('the press carries the time of the first edge, taken in the hardirq, not the time the callback ran', async () => {
    const { sim, contact, seen } = setup();
    sim.at(10_000, () => contact.click(50_000));
    await sim.advance(200_000);
    expect(seen[0].edgeUs).toBe(10_000);
    // The thread slept out the bounce time counted from that edge, then confirmed the level.
    expect(seen[0].pressedUs).toBe(10_000 + DEBOUNCE_US);
    expect(seen[0].calledUs).toBe(seen[0].pressedUs);
  });

  test('bounces are counted: every edge the hardirq saw is a press or a bounce, and none went unseen', async () => {
    const { board, sim, core, contact, irq, button, falling } = setup();
    sim.at(10_000, () => contact.click(50_000));
    await sim.advance(200_000);
    expect(button.bounces).toBeGreaterThan(0);
    expect(button.edges).toBe(button.presses + button.bounces);
    expect(core.irqToDesc(irq)!.count).toBe(button.edges);
    // Edges the GPIO merged while its status bit was set are the only ones software cannot see.
    expect(button.edges + board.gpio.coalesced(PIN)).toBe(falling());
  });

  test('the bounces of a release are swallowed: they cross the pressed edge but the pin is released by the end', async () => {
    const { sim, contact, button, seen } = setup();
    contact.press();
    await sim.advance(30_000);
    const bouncesWhilePressed = button.bounces;
    contact.release();
    await sim.advance(30_000);
    expect(seen).toHaveLength(1);
    expect(button.bounces).toBeGreaterThan(bouncesWhilePressed);
    expect(button.edges).toBe(button.presses + button.bounces);
  });

  test('a glitch shorter than the bounce time is not a press', async () => {
    const { sim, contact, button, seen } = setup({ bounces: 0, bounceUs: 1 });
    sim.at(1_000, () => contact.click(1_000));
    await sim.advance(50_000);
    expect(seen).toHaveLength(0);
    expect(button.edges).toBe(1);
    expect(button.bounces).toBe(1);
  });

  test('each of several clicks is one press with its own edge time', async () => {
    const { sim, contact, seen } = setup();
    for (const at of [10_000, 100_000, 250_000]) sim.at(at, () => contact.click(40_000));
    await sim.advance(400_000);
    expect(seen.map((p) => p.edgeUs)).toEqual([10_000, 100_000, 250_000]);
  });

  test('the thread is the action\'s own, irq/N-button, and the line stays unmasked while it sleeps (not oneshot)', async () => {
    const { sim, core, contact, irq } = setup();
    expect(core.irqThreads().map((t) => t.name)).toEqual([`irq/${irq}-button`]);
    expect(core.irqToDesc(irq)!.actions).toEqual(['button']);
    contact.press();
    await sim.advance(1_000);
    expect(core.irqThreads()[0].sleeping).toBe(true);
    expect(core.irqToDesc(irq)!.masked).toBe(false);
  });

  test('remove frees the line once a press being debounced is done', async () => {
    const { sim, core, contact, irq, button, seen } = setup();
    contact.press();
    await sim.advance(1_000);
    const removed = button.remove();
    await sim.advance(DEBOUNCE_US);
    await removed;
    expect(seen).toHaveLength(1);
    expect(core.irqToDesc(irq)!.actions).toEqual([]);
    contact.release();
    sim.at(sim.now() + 10_000, () => contact.click(20_000));
    await sim.advance(100_000);
    expect(seen).toHaveLength(1);
  });
});
