/*
 * The push-button driver's specification, through its public API on the simulated board booted as it ships:
 * a bouncing button (PushButton) on a GPIO pin, on each of the two GPIO chips (hal/esp32/gpio.ts over the fake
 * ECMA-419 DigitalBank, and hal/esp32/native-gpio.ts over the native module's C built for the host). The chip
 * debounces the line (irqSetDebounce) and hands the driver its events; everything is in virtual time, so the
 * times below are exact.
 */
import { BUTTON_DEFAULT_DEBOUNCE_US, Button, type ButtonOptions, type ButtonPress } from '../../firmware/drivers/button';
import { IRQ_HANDLED, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_RISING, IrqError } from '../../firmware/irq';
import { bootSimBoard, type BootOptions } from '../../hal/mock/boot';
import { PushButton, type PushButtonOptions } from '../../hal/mock/devices';
import { bootNativeSimBoard } from '../../hal/mock/native/boot';

const PIN = 0;
/** Another pin, for a second line. */
const OTHER_PIN = 4;
const DEBOUNCE_US = 5_000;
/** The contact's bounces: the last transition lands exactly BOUNCE_US after the press (PushButton). */
const BOUNCE_US = 2_000;

interface Chip {
  pinInfo(pin: number): { readonly debounceUs: number; readonly bounces: number };
}

/** The two GPIO chips, each booted on a board of its own. */
const CHIPS = [
  ['the DigitalBank chip', (options: BootOptions) => bootSimBoard(options)],
  ['the native chip', (options: BootOptions) => bootNativeSimBoard(options)],
] as const;

interface Seen extends ButtonPress {
  /** When onPress ran. */
  readonly calledUs: number;
}

describe.each(CHIPS)('Button on %s', (_chipName, boot) => {
  function setup(options: { contact?: PushButtonOptions; button?: Partial<ButtonOptions> } = {}) {
    const booted = boot({ seed: 11 });
    const { sim, core } = booted;
    const gpio: Chip = booted.gpio;
    const net = booted.pin(PIN);
    const contact = new PushButton(sim, net, options.contact ?? { bounces: 3, bounceUs: BOUNCE_US });
    const irq = booted.gpioToIrq(PIN, 'pullup');
    const seen: Seen[] = [];
    const button = new Button({
      core, irq, debounceUs: DEBOUNCE_US, onPress: (press) => seen.push({ ...press, calledUs: sim.now() }), ...options.button,
    });
    return { booted, sim, core, gpio, net, contact, irq, button, seen };
  }

  function probed(options: Parameters<typeof setup>[0] = {}) {
    const s = setup(options);
    s.button.probe();
    return s;
  }

  test('a click that bounces is one press, settled at its last bounce plus the debounce period, exactly', async () => {
    const { sim, contact, button, seen } = probed();
    sim.at(10_000, () => contact.click(50_000));
    await sim.advance(200_000);
    expect(contact.transitions).toBeGreaterThan(2);
    expect(seen.map(({ timeUs, seqno, missed }) => ({ timeUs, seqno, missed }))).toEqual([
      { timeUs: 10_000 + BOUNCE_US + DEBOUNCE_US, seqno: 1, missed: 0 },
    ]);
    expect(button.presses).toBe(1);
    expect(button.lost).toBe(0);
  });

  test('onPress runs in the thread after the press settled, not before', async () => {
    const { sim, contact, seen } = probed();
    sim.at(10_000, () => contact.click(50_000));
    await sim.advance(200_000);
    expect(seen[0].calledUs).toBeGreaterThanOrEqual(seen[0].timeUs);
    expect(seen[0].calledUs).toBeLessThan(seen[0].timeUs + 2_000);
  });

  test('the line is entered once per press: bounces never reach it', async () => {
    const { sim, core, contact, irq } = probed();
    sim.at(10_000, () => contact.click(50_000));
    await sim.advance(200_000);
    expect(core.irqToDesc(irq)!.count).toBe(1);
  });

  test('the bounces of a release report nothing', async () => {
    const { sim, contact, seen } = probed();
    contact.press();
    await sim.advance(30_000);
    expect(seen).toHaveLength(1);
    contact.release();
    await sim.advance(30_000);
    expect(seen).toHaveLength(1);
  });

  test('a glitch shorter than the debounce period reports nothing', async () => {
    const { sim, contact, seen } = probed({ contact: { bounces: 0, bounceUs: 1 } });
    sim.at(1_000, () => contact.click(DEBOUNCE_US - 1_000));
    await sim.advance(50_000);
    expect(seen).toHaveLength(0);
  });

  test('several clicks are several presses, in order, each at its own settle time, with increasing seqno', async () => {
    const { sim, contact, button, seen } = probed();
    const clicks = [10_000, 100_000, 250_000];
    for (const at of clicks) sim.at(at, () => contact.click(40_000));
    await sim.advance(400_000);
    expect(seen.map(({ timeUs, seqno, missed }) => ({ timeUs, seqno, missed }))).toEqual(
      clicks.map((at, i) => ({ timeUs: at + BOUNCE_US + DEBOUNCE_US, seqno: i + 1, missed: 0 })),
    );
    expect(button.presses).toBe(3);
  });

  test('the chip swallows the bounces and counts them: pinInfo(pin).bounces, with the period in debounceUs', async () => {
    const { sim, gpio, contact } = probed();
    expect(gpio.pinInfo(PIN)).toMatchObject({ debounceUs: DEBOUNCE_US, bounces: 0 });
    sim.at(10_000, () => contact.click(50_000));
    await sim.advance(200_000);
    // Every transition but the two that settled (the press and the release) was a bounce.
    expect(gpio.pinInfo(PIN).bounces).toBe(contact.transitions - 2);
  });

  test('pressedLevel 1: the rising edge is the press, and the falling edge of its release is nothing', async () => {
    const { sim, core, pin, gpioToIrq } = boot({ seed: 11 });
    // A switch to 3V3 on a pulled-down pin: it closes with one bounce, and opens with one.
    const irq = gpioToIrq(PIN, 'pulldown');
    const high = pin(PIN).pushPull('switch to 3V3');
    const seen: number[] = [];
    new Button({ core, irq, pressedLevel: 1, debounceUs: DEBOUNCE_US, onPress: (press) => seen.push(press.timeUs) }).probe();
    expect(pin(PIN).level()).toBe(0);
    sim.at(10_000, () => high.drive(1));
    sim.at(10_300, () => high.drive(0));
    sim.at(10_700, () => high.drive(1));
    sim.at(60_000, () => high.drive(0));
    sim.at(60_400, () => high.drive(1));
    sim.at(60_600, () => high.drive(0));
    await sim.advance(100_000);
    expect(seen).toEqual([10_700 + DEBOUNCE_US]);
  });

  test('the thread is the action\'s own, irq/N-button, on a line requested for the pressed edge only', () => {
    const { core, irq } = probed();
    expect(core.irqThreads().map((t) => t.name)).toEqual([`irq/${irq}-button`]);
    expect(core.irqToDesc(irq)!.actions).toEqual(['button']);
    expect(core.procInterrupts()).toMatch(new RegExp(`^\\s*${irq}\\s.*edge-falling\\s+button \\[debounce ${DEBOUNCE_US}us\\]$`, 'm'));
  });

  test('the default debounce period is 20 ms', async () => {
    const { sim, gpio, contact, seen } = probed({ button: { debounceUs: undefined } });
    expect(BUTTON_DEFAULT_DEBOUNCE_US).toBe(20_000);
    expect(gpio.pinInfo(PIN).debounceUs).toBe(20_000);
    sim.at(10_000, () => contact.click(50_000));
    await sim.advance(200_000);
    expect(seen.map((p) => p.timeUs)).toEqual([10_000 + BOUNCE_US + 20_000]);
  });

  test('debounceUs 0 (a button debounced in hardware): the chip filters nothing, and each edge is a press at its time', async () => {
    const { sim, gpio, contact, seen } = probed({ button: { debounceUs: 0 }, contact: { bounces: 0 } });
    expect(gpio.pinInfo(PIN).debounceUs).toBe(0);
    sim.at(10_000, () => contact.click(1_000));
    sim.at(20_000, () => contact.click(1_000));
    await sim.advance(50_000);
    expect(seen.map(({ timeUs, seqno }) => ({ timeUs, seqno }))).toEqual([{ timeUs: 10_000, seqno: 1 }, { timeUs: 20_000, seqno: 2 }]);
  });

  test('remove() frees the line, releases its events and sets the debounce back to 0', async () => {
    const { sim, core, gpio, contact, irq, button, seen } = probed();
    await button.remove();
    expect(core.irqToDesc(irq)!.actions).toEqual([]);
    expect(core.irqThreads()).toEqual([]);
    expect(gpio.pinInfo(PIN).debounceUs).toBe(0);
    // The line's events are free for another reader.
    const other = { name: 'other' };
    core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_FALLING, 'other', other);
    expect(core.irqRequestLineEvents(irq, other).open).toBe(true);
    sim.at(sim.now() + 1_000, () => contact.click(20_000));
    await sim.advance(100_000);
    expect(seen).toHaveLength(0);
    expect(button.presses).toBe(0);
  });

  test('a press still bouncing when remove() is called is not reported', async () => {
    const { sim, contact, button, seen } = probed();
    contact.press();
    await sim.advance(BOUNCE_US + 1_000);
    await Promise.all([button.remove(), sim.advance(DEBOUNCE_US * 2)]);
    await sim.advance(50_000);
    expect(seen).toHaveLength(0);
  });

  test('after remove(), probe() takes the line again and reports presses from seqno 1', async () => {
    const { sim, contact, button, seen } = probed();
    sim.at(10_000, () => contact.click(20_000));
    await sim.advance(100_000);
    await button.remove();
    button.probe();
    sim.at(sim.now() + 10_000, () => contact.click(20_000));
    await sim.advance(100_000);
    expect(seen.map((p) => p.seqno)).toEqual([1, 1]);
    expect(button.presses).toBe(1);
  });

  test('probe() refuses a line in use with EBUSY, and leaves its debounce alone', () => {
    const { core, gpio, irq, button } = setup();
    core.requestIrq(irq, () => IRQ_HANDLED, IRQF_TRIGGER_RISING, 'other', {});
    expect(() => button.probe()).toThrow(expect.objectContaining({ code: 'EBUSY', message: expect.stringContaining('"other"') }));
    expect(gpio.pinInfo(PIN).debounceUs).toBe(0);
    expect(core.irqToDesc(irq)!.actions).toEqual(['other']);
  });

  test('a second probe() is EBUSY and leaves the first one working', async () => {
    const { sim, contact, button, seen } = probed();
    expect(() => button.probe()).toThrow(expect.objectContaining({ code: 'EBUSY' }));
    sim.at(10_000, () => contact.click(20_000));
    await sim.advance(100_000);
    expect(seen).toHaveLength(1);
  });

  test('probe() that fails halfway undoes its steps: the debounce is back to 0 and the line free', async () => {
    const { booted, sim, core, gpio, irq, button } = setup();
    // A request from hardirq context is refused (EINVAL) after the debounce was set.
    let failure: unknown;
    const trigger = booted.pin(OTHER_PIN).pushPull('trigger');
    trigger.drive(0);
    core.requestIrq(booted.gpioToIrq(OTHER_PIN), () => {
      try {
        button.probe();
      } catch (err) {
        failure = err;
      }
      return IRQ_HANDLED;
    }, IRQF_TRIGGER_RISING, 'prober', {});
    sim.at(1_000, () => trigger.drive(1));
    await sim.advance(10_000);
    expect(failure).toBeInstanceOf(IrqError);
    expect(failure).toMatchObject({ code: 'EINVAL', message: expect.stringContaining('hardirq') });
    expect(gpio.pinInfo(PIN).debounceUs).toBe(0);
    expect(core.irqToDesc(irq)!.actions).toEqual([]);
  });

  // Both chips keep seeing a debounced line's edges while it is disabled (the native chip masks it in software
  // only), so its settled presses wait in the reader, which holds 16.
  test('presses while the line is disabled wait in the reader; those beyond 16 are lost and counted, in missed, lost and the seqno gap', async () => {
    const { sim, core, contact, irq, button, seen } = probed();
    await core.disableIrq(irq);
    for (let i = 0; i < 20; i++) sim.at(10_000 + i * 20_000, () => contact.click(10_000));
    await sim.advance(500_000);
    expect(seen).toHaveLength(0);
    core.enableIrq(irq);
    await sim.advance(10_000);
    expect(seen).toHaveLength(16);
    expect(seen[0]).toMatchObject({ seqno: 5, missed: 4, timeUs: 10_000 + 4 * 20_000 + BOUNCE_US + DEBOUNCE_US });
    expect(seen.slice(1).every((p, i) => p.missed === 0 && p.seqno === 6 + i)).toBe(true);
    expect(button.presses).toBe(16);
    expect(button.lost).toBe(4);
  });
});

describe('Button options', () => {
  const core = bootSimBoard().core;
  const onPress = (): void => {};

  test.each([
    ['no onPress', { onPress: undefined }, /onPress/],
    ['a negative debounceUs', { debounceUs: -1 }, /debounceUs .* not -1/],
    ['a fractional debounceUs', { debounceUs: 1.5 }, /debounceUs .* not 1\.5/],
    ['a NaN debounceUs', { debounceUs: NaN }, /debounceUs .* not NaN/],
    ['a debounceUs beyond a u32', { debounceUs: 2 ** 32 }, /debounceUs .* not 4294967296/],
    ['a pressedLevel other than 0 or 1', { pressedLevel: 2 }, /pressedLevel must be 0 or 1, not 2/],
  ])('%s is EINVAL, naming the mistake', (_what, bad, message) => {
    const make = () => new Button({ core, irq: 1, onPress, ...(bad as Partial<ButtonOptions>) } as ButtonOptions);
    expect(make).toThrow(IrqError);
    expect(make).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringMatching(message) }));
  });

  test('the name names the errors', () => {
    expect(() => new Button({ core, irq: 1, onPress, name: 'boot', debounceUs: -1 })).toThrow('EINVAL: boot: debounceUs');
  });
});
