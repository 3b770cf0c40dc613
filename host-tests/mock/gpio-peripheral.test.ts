/*
 * The ESP32 GPIO peripheral as hardware (hal/mock/gpio-peripheral.ts): the status latches, GPIO_STATUS's
 * write-1-to-set and write-1-to-clear, INT_ENA gating the one CPU interrupt, and the CPU running the one ISR in
 * a simulator job of its own, again while the interrupt stays asserted. No irq_chip and no core here.
 */
import {
  Esp32GpioPeripheral, GPIO_INTR_ANYEDGE, GPIO_INTR_DISABLE, GPIO_INTR_HIGH_LEVEL, GPIO_INTR_LOW_LEVEL, GPIO_INTR_NEGEDGE,
  GPIO_INTR_POSEDGE,
} from '../../hal/mock/gpio-peripheral';
import { socPins } from '../../hal/esp32/pins';
import { SimStallError, Simulator } from '../../hal/mock/sim';
import type { PushPullDriver } from '../../hal/mock/wire';

function peripheral(stallEvents?: number) {
  const sim = new Simulator({ seed: 1, stallEvents });
  const gpio = new Esp32GpioPeripheral(sim);
  /** A push-pull source on `pin`, driving `level`. */
  const source = (pin: number, level: 0 | 1 = 0): PushPullDriver => {
    const d = gpio.net(pin).pushPull(`ext${pin}`);
    d.drive(level);
    return d;
  };
  return { sim, gpio, source };
}

const BIT4 = 1 << 4;

describe('the status latch', () => {
  test('an edge of the pin\'s type latches its bit until cleared; edges while it is set are merged and counted', () => {
    const { gpio, source } = peripheral();
    const d = source(4);
    gpio.setIntType(4, GPIO_INTR_POSEDGE);
    expect(gpio.readStatus(0)).toBe(0);
    d.drive(1);
    expect(gpio.readStatus(0)).toBe(BIT4);
    d.drive(0); // a falling edge: not of the type, the bit stays
    expect(gpio.readStatus(0)).toBe(BIT4);
    d.drive(1);
    d.drive(0);
    d.drive(1);
    expect(gpio.coalesced(4)).toBe(2);
    gpio.clearStatus(0, BIT4);
    expect(gpio.readStatus(0)).toBe(0);
    d.drive(0);
    expect(gpio.readStatus(0)).toBe(0);
    expect(gpio.coalesced(4)).toBe(2);
  });

  test('falling and any-edge types latch on their edges; a disabled type latches nothing', () => {
    const { gpio, source } = peripheral();
    const [a, b, c] = [source(4, 1), source(5, 1), source(12, 0)];
    gpio.setIntType(4, GPIO_INTR_NEGEDGE);
    gpio.setIntType(5, GPIO_INTR_ANYEDGE);
    gpio.setIntType(12, GPIO_INTR_DISABLE);
    a.drive(0);
    b.drive(0);
    c.drive(1);
    expect(gpio.readStatus(0)).toBe(BIT4 | (1 << 5));
    gpio.clearStatus(0, BIT4 | (1 << 5));
    a.drive(1);
    b.drive(1);
    expect(gpio.readStatus(0)).toBe(1 << 5);
  });

  test('a level type\'s bit follows the input, and a clear while the level holds sets it again at once', () => {
    const { gpio, source } = peripheral();
    const d = source(4, 1);
    gpio.setIntType(4, GPIO_INTR_LOW_LEVEL);
    expect(gpio.readStatus(0)).toBe(0);
    d.drive(0);
    expect(gpio.readStatus(0)).toBe(BIT4);
    gpio.clearStatus(0, BIT4);
    expect(gpio.readStatus(0)).toBe(BIT4);
    d.drive(1);
    expect(gpio.readStatus(0)).toBe(0);
    gpio.setIntType(4, GPIO_INTR_HIGH_LEVEL); // the level is already there: set by the type change
    expect(gpio.readStatus(0)).toBe(BIT4);
    expect(gpio.coalesced(4)).toBe(0);
  });

  test('W1TS raises a pin\'s bit in software, W1TC clears only the bits written', () => {
    const { gpio } = peripheral();
    gpio.setIntType(4, GPIO_INTR_POSEDGE);
    gpio.setIntType(5, GPIO_INTR_POSEDGE);
    gpio.setStatus(0, BIT4 | (1 << 5));
    expect(gpio.readStatus(0)).toBe(BIT4 | (1 << 5));
    gpio.clearStatus(0, 1 << 5);
    expect(gpio.readStatus(0)).toBe(BIT4);
  });

  test('GPIO 32 and up are bank 1 (GPIO_IN1, GPIO_STATUS1)', () => {
    const { gpio, source } = peripheral();
    const d = source(33);
    gpio.setIntType(33, GPIO_INTR_POSEDGE);
    d.drive(1);
    expect(gpio.readIn(1)).toBe(1 << 1);
    expect(gpio.readStatus(1)).toBe(1 << 1);
    expect(gpio.readStatus(0)).toBe(0);
    gpio.clearStatus(1, 1 << 1);
    expect(gpio.readStatus(1)).toBe(0);
  });

  test('a change of type keeps a latched bit: only a write-1-to-clear drops it', () => {
    const { gpio, source } = peripheral();
    const d = source(4);
    gpio.setIntType(4, GPIO_INTR_POSEDGE);
    d.drive(1);
    gpio.setIntType(4, GPIO_INTR_NEGEDGE);
    expect(gpio.readStatus(0)).toBe(BIT4);
    gpio.clearStatus(0, BIT4);
    expect(gpio.readStatus(0)).toBe(0);
  });

  test('a GPIO the chip lacks and an INT_TYPE outside 0..5 are RangeErrors', () => {
    const { gpio } = peripheral();
    expect(() => gpio.net(20)).toThrow(/GPIO20 does not exist on the ESP32/);
    expect(() => gpio.setIntType(24, GPIO_INTR_POSEDGE)).toThrow(RangeError);
    expect(() => gpio.setIntType(4, 6)).toThrow(/INT_TYPE 6 is not one of 0..5/);
    const c3 = new Esp32GpioPeripheral(new Simulator(), socPins('esp32c3'));
    expect(() => c3.net(22)).toThrow(RangeError);
  });
});

describe('the CPU interrupt', () => {
  test('INT_ENA gates the interrupt output: GPIO_PCPU_INT is the status of the enabled pins', () => {
    const { gpio, source } = peripheral();
    const d = source(4);
    gpio.setIntType(4, GPIO_INTR_POSEDGE);
    d.drive(1);
    expect(gpio.readStatus(0)).toBe(BIT4);
    expect(gpio.readInterruptStatus(0)).toBe(0);
    expect(gpio.interruptAsserted).toBe(false);
    gpio.setIntEnable(4, true);
    expect(gpio.intEnabled(4)).toBe(true);
    expect(gpio.readInterruptStatus(0)).toBe(BIT4);
    expect(gpio.interruptAsserted).toBe(true);
  });

  test('the ISR runs in a simulator job of its own, not inside the job that raised the edge', async () => {
    const { sim, gpio, source } = peripheral();
    const d = source(4);
    const runs: number[] = [];
    gpio.attachIsr(() => {
      runs.push(gpio.readInterruptStatus(0));
      gpio.clearStatus(0, gpio.readInterruptStatus(0));
    });
    gpio.setIntType(4, GPIO_INTR_POSEDGE);
    gpio.setIntEnable(4, true);
    d.drive(1);
    expect(runs).toEqual([]);
    await sim.advance(0);
    expect(runs).toEqual([BIT4]);
    expect(gpio.interruptsTaken).toBe(1);
    expect(gpio.interruptAsserted).toBe(false);
  });

  test('a pin latched while INT_ENA was off interrupts once it is enabled', async () => {
    const { sim, gpio, source } = peripheral();
    const d = source(4);
    let runs = 0;
    gpio.attachIsr(() => {
      runs++;
      gpio.clearStatus(0, BIT4);
    });
    gpio.setIntType(4, GPIO_INTR_POSEDGE);
    d.drive(1);
    await sim.advance(100);
    expect(runs).toBe(0);
    gpio.setIntEnable(4, true);
    await sim.advance(0);
    expect(runs).toBe(1);
  });

  test('the ISR runs again after it returns for as long as the interrupt stays asserted', async () => {
    const { sim, gpio, source } = peripheral();
    const d = source(4);
    let runs = 0;
    gpio.attachIsr(() => {
      runs++;
      if (runs === 3) d.drive(1); // the device lets go on the third run
    });
    gpio.setIntType(4, GPIO_INTR_LOW_LEVEL);
    gpio.setIntEnable(4, true);
    await sim.advance(0);
    expect(runs).toBe(3);
    expect(gpio.interruptsTaken).toBe(3);
    await sim.advance(1_000);
    expect(runs).toBe(3);
  });

  test('an ISR that never clears its cause spins the CPU at one instant: the stall guard stops the run', async () => {
    const { sim, gpio, source } = peripheral(1_000);
    source(4);
    gpio.attachIsr(() => {});
    gpio.setIntType(4, GPIO_INTR_LOW_LEVEL);
    gpio.setIntEnable(4, true);
    await expect(sim.advance(100)).rejects.toBeInstanceOf(SimStallError);
    expect(gpio.interruptsTaken).toBe(1_000);
  });

  test('the source has one ISR: a second attach is refused until the first is freed', async () => {
    const { sim, gpio } = peripheral();
    const free = gpio.attachIsr(() => {});
    expect(() => gpio.attachIsr(() => {})).toThrow(/already has an ISR/);
    free();
    let ran = 0;
    gpio.attachIsr(() => {
      ran++;
      gpio.clearStatus(0, BIT4);
    });
    gpio.setIntType(4, GPIO_INTR_POSEDGE);
    gpio.setIntEnable(4, true);
    gpio.setStatus(0, BIT4);
    await sim.advance(0);
    expect(ran).toBe(1);
  });

  test('with no ISR attached nothing runs; attaching with the output asserted takes the interrupt', async () => {
    const { sim, gpio } = peripheral();
    gpio.setIntType(4, GPIO_INTR_POSEDGE);
    gpio.setIntEnable(4, true);
    gpio.setStatus(0, BIT4);
    await sim.advance(100);
    expect(gpio.interruptsTaken).toBe(0);
    let ran = 0;
    gpio.attachIsr(() => {
      ran++;
      gpio.clearStatus(0, BIT4);
    });
    await sim.advance(0);
    expect(ran).toBe(1);
  });
});
