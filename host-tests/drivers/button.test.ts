/*
 * The push-button driver on the simulated board booted as it ships: a bouncing button on a GPIO pin of the
 * shipping GPIO chip (hal/esp32/gpio.ts over the fake ECMA-419 DigitalBank), read back through that chip as
 * the demo app does.
 */
import { Button, type ButtonPress } from '../../firmware/drivers/button';
import { bootSimBoard } from '../../hal/mock/boot';
import { PushButton } from '../../hal/mock/devices';
import type { LogEntry } from '../helpers/fake-chip';

const PIN = 0;
const DEBOUNCE_US = 5_000;
/** Soon after an edge: the hardirq's delivery and CPU time. */
const SOON_US = 100;

interface Seen extends ButtonPress {
  /** When onPress ran. */
  readonly calledUs: number;
}

function setup(buttonOptions: { bounces?: number; bounceUs?: number } = { bounces: 3, bounceUs: 2_000 }) {
  const logs: LogEntry[] = [];
  const booted = bootSimBoard({ seed: 11, log: (level, message) => logs.push({ level, message }) });
  const { sim, core, gpio, provider } = booted;
  const net = booted.pin(PIN);
  const contact = new PushButton(sim, net, buttonOptions);
  const irq = gpio.gpioToIrq(PIN, 'pullup');
  const seen: Seen[] = [];
  const button = new Button({
    core,
    irq,
    // The pin is open while the line is requested; a closed one reads as released.
    readPin: () => gpio.level(PIN) ?? 1,
    debounceUs: DEBOUNCE_US,
    onPress: (press) => seen.push({ ...press, calledUs: sim.now() }),
  });
  button.probe();
  let fallingEdges = 0;
  net.onChange((level) => {
    if (level === 0) fallingEdges++;
  });
  /**
   * Falling edges merged below the core: by the GPIO peripheral's status latch (booted.board.gpio.coalesced)
   * and by DigitalBank's `triggered` mask; the fake's count holds both.
   */
  const merged = () => provider.fakes.digital.coalesced(PIN);
  const latchMerged = () => booted.board.gpio.coalesced(PIN);
  return { booted, sim, core, net, contact, irq, button, seen, logs, merged, latchMerged, falling: () => fallingEdges };
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
    expect(seen[0].edgeUs).toBeGreaterThanOrEqual(10_000);
    expect(seen[0].edgeUs).toBeLessThan(10_000 + SOON_US);
    // The thread slept out the bounce time counted from that edge, then confirmed the level.
    expect(seen[0].pressedUs).toBeGreaterThanOrEqual(seen[0].edgeUs + DEBOUNCE_US);
    expect(seen[0].pressedUs).toBeLessThan(seen[0].edgeUs + DEBOUNCE_US + SOON_US);
    expect(seen[0].calledUs).toBe(seen[0].pressedUs);
  });

  test('bounces are counted: every edge the hardirq saw is a press or a bounce, and none went unseen', async () => {
    const { sim, core, contact, irq, button, merged, latchMerged, falling } = setup();
    sim.at(10_000, () => contact.click(50_000));
    await sim.advance(200_000);
    expect(button.bounces).toBeGreaterThan(0);
    expect(button.edges).toBe(button.presses + button.bounces);
    expect(core.irqToDesc(irq)!.count).toBe(button.edges);
    // Edges merged below the core (a status bit or a DigitalBank bit still set) are the only ones software cannot see.
    expect(button.edges + merged()).toBe(falling());
    expect(latchMerged()).toBeLessThanOrEqual(merged());
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
    const clicks = [10_000, 100_000, 250_000];
    for (const at of clicks) sim.at(at, () => contact.click(40_000));
    await sim.advance(400_000);
    expect(seen).toHaveLength(3);
    seen.forEach((press, i) => {
      expect(press.edgeUs).toBeGreaterThanOrEqual(clicks[i]);
      expect(press.edgeUs).toBeLessThan(clicks[i] + SOON_US);
    });
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

  test('remove resolves only once a press being debounced is done; the line is freed and reports nothing more', async () => {
    const { sim, core, contact, irq, button, seen } = setup();
    contact.press();
    await sim.advance(1_000);
    let removed = false;
    const removing = button.remove().then(() => {
      removed = true;
    });
    expect(core.irqToDesc(irq)!.actions).toEqual([]);
    await sim.advance(DEBOUNCE_US / 2);
    expect(removed).toBe(false); // the thread still sleeps out the bounce time
    await sim.advance(DEBOUNCE_US);
    await removing;
    expect(core.irqThreads()).toEqual([]);
    const reported = seen.length;
    contact.release();
    sim.at(sim.now() + 10_000, () => contact.click(20_000));
    await sim.advance(100_000);
    expect(seen).toHaveLength(reported);
    expect(button.presses).toBe(reported);
  });

  // free_irq lets the freed action's thread finish with its device readable: the chip reads a shut-down pin.
  test('a press being debounced when remove is called is still reported', async () => {
    const { sim, contact, button, seen } = setup();
    contact.press();
    await sim.advance(1_000);
    const removing = button.remove();
    await sim.advance(DEBOUNCE_US);
    await removing;
    expect(seen).toHaveLength(1);
  });
});
