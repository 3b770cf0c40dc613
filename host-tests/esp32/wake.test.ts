import {
  IRQ_HANDLED, IRQ_TYPE_EDGE_BOTH, IRQ_TYPE_EDGE_FALLING, IRQ_TYPE_EDGE_RISING, IRQ_TYPE_LEVEL_HIGH, IRQ_TYPE_LEVEL_LOW,
  IRQF_TRIGGER_FALLING, IRQF_TRIGGER_HIGH, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING,
} from '../../firmware/irq';
import { makeEsp32Board } from './helpers';
import { expectIrqError } from '../helpers/irq-error';

function requested(gpio: ReturnType<typeof makeEsp32Board>['gpio'], core: ReturnType<typeof makeEsp32Board>['core'], pin: number, flags: number): number {
  const irq = gpio.gpioToIrq(pin);
  core.requestIrq(irq, () => IRQ_HANDLED, flags, `pin${pin}`, {});
  return irq;
}


describe('ESP32 wake sources (irqSetIrqWake)', () => {
  test('a level-low RTC GPIO is a light-sleep GPIO wake source on low and an ext1 ALL_LOW source', () => {
    const { core, gpio } = makeEsp32Board();
    const irq = requested(gpio, core, 4, IRQF_TRIGGER_LOW);
    expect(gpio.wakeSources()).toEqual({ gpio: [], ext1: undefined });
    core.irqSetIrqWake(irq, true);
    expect(gpio.wakeSources()).toEqual({ gpio: [{ pin: 4, level: 0 }], ext1: { pins: [4], mask: 0x10, mode: 'all-low' } });
    expect(gpio.pinInfo(4).wake).toBe(true);
  });

  test('rising and high-level RTC GPIOs share ext1 ANY_HIGH; an edge type wakes on the level it ends at', () => {
    const { core, gpio } = makeEsp32Board();
    core.irqSetIrqWake(requested(gpio, core, 33, IRQF_TRIGGER_RISING), true);
    core.irqSetIrqWake(requested(gpio, core, 27, IRQF_TRIGGER_HIGH), true);
    const sources = gpio.wakeSources();
    expect(sources.gpio).toEqual([{ pin: 27, level: 1 }, { pin: 33, level: 1 }]);
    expect(sources.ext1).toEqual({ pins: [27, 33], mask: 2 ** 27 + 2 ** 33, mode: 'any-high' });
  });

  test('a both-edge pin cannot wake the ESP32: ENOSYS', () => {
    const { core, gpio } = makeEsp32Board();
    const irq = requested(gpio, core, 2, IRQF_TRIGGER_FALLING);
    core.irqSetIrqType(irq, IRQ_TYPE_EDGE_BOTH);
    expectIrqError(() => core.irqSetIrqWake(irq, true), 'ENOSYS', /GPIO2 cannot wake the ESP32 with trigger edge-both/);
    expect(core.irqToDesc(irq)!.wakeDepth).toBe(0);
    expect(gpio.wakeSources().gpio).toEqual([]);
  });

  test('a GPIO that is not an RTC GPIO cannot wake from deep sleep: ENOSYS; with deepSleepWake false it wakes from light sleep', () => {
    const deep = makeEsp32Board();
    expectIrqError(() => deep.core.irqSetIrqWake(requested(deep.gpio, deep.core, 5, IRQF_TRIGGER_LOW), true), 'ENOSYS', /GPIO5 is not an RTC GPIO/);
    const light = makeEsp32Board({ deepSleepWake: false });
    light.core.irqSetIrqWake(requested(light.gpio, light.core, 5, IRQF_TRIGGER_LOW), true);
    expect(light.gpio.wakeSources()).toEqual({ gpio: [{ pin: 5, level: 0 }], ext1: undefined });
  });

  test('ext1 has one mode: a low pin after a high pin is ENOSYS', () => {
    const { core, gpio } = makeEsp32Board();
    core.irqSetIrqWake(requested(gpio, core, 12, IRQF_TRIGGER_HIGH), true);
    expectIrqError(() => core.irqSetIrqWake(requested(gpio, core, 13, IRQF_TRIGGER_FALLING), true), 'ENOSYS', /one mode \(ALL_LOW or ANY_HIGH\)/);
    expect(gpio.wakeSources().ext1).toEqual({ pins: [12], mask: 2 ** 12, mode: 'any-high' });
  });

  test('two active-low pins cannot share ext1 ALL_LOW (it wakes only when both are low): ENOSYS', () => {
    const { core, gpio } = makeEsp32Board();
    core.irqSetIrqWake(requested(gpio, core, 14, IRQF_TRIGGER_LOW), true);
    expectIrqError(() => core.irqSetIrqWake(requested(gpio, core, 15, IRQF_TRIGGER_LOW), true), 'ENOSYS', /ALL_LOW would wake only when both are low/);
  });

  test('disabling wake removes the pin, and another mode may then be used', () => {
    const { core, gpio } = makeEsp32Board();
    const low = requested(gpio, core, 25, IRQF_TRIGGER_LOW);
    core.irqSetIrqWake(low, true);
    core.irqSetIrqWake(low, false);
    expect(gpio.wakeSources()).toEqual({ gpio: [], ext1: undefined });
    core.irqSetIrqWake(requested(gpio, core, 26, IRQF_TRIGGER_HIGH), true);
    expect(gpio.wakeSources().ext1?.mode).toBe('any-high');
  });

  test('a type change of a wake pin to one that cannot wake is ENOSYS and keeps the old type', () => {
    const { core, gpio } = makeEsp32Board();
    const irq = requested(gpio, core, 0, IRQF_TRIGGER_LOW);
    core.irqSetIrqWake(irq, true);
    expectIrqError(() => core.irqSetIrqType(irq, IRQ_TYPE_EDGE_BOTH), 'ENOSYS', /edge-both/);
    expect(gpio.pinInfo(0).type).toBe(IRQ_TYPE_LEVEL_LOW);
    expect(core.irqToDesc(irq)!.triggerType).toBe(IRQ_TYPE_LEVEL_LOW);
    core.irqSetIrqType(irq, IRQ_TYPE_EDGE_FALLING);
    expect(gpio.wakeSources().gpio).toEqual([{ pin: 0, level: 0 }]);
    core.irqSetIrqType(irq, IRQ_TYPE_LEVEL_HIGH);
    expect(gpio.wakeSources().ext1?.mode).toBe('any-high');
    core.irqSetIrqType(irq, IRQ_TYPE_EDGE_RISING);
    expect(gpio.wakeSources().gpio).toEqual([{ pin: 0, level: 1 }]);
  });
});
