/*
 * The ESP32 family's pin tables (hal/esp32/pins.ts), as a driver author meets them: Esp32Gpio created for the
 * chip the firmware was built for, on the simulated board of the same chip with the ECMA-419 fakes. One
 * behaviour per test; the sources of each rule are cited in pins.ts.
 */
import {
  IRQ_HANDLED, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING, IrqCore,
} from '../../firmware/irq';
import {
  ESP32_SOCS, Esp32Gpio, canWakeFromLightSleep, isInputOnlyGpio, isValidGpio, socPins, type Esp32Soc,
} from '../../hal/esp32';
import { SimBoard } from '../../hal/mock/board';
import { createFakeDigitalIo } from '../../hal/mock/ecma419/digital';
import { makeEsp32Board } from './helpers';
import { expectIrqError } from '../helpers/irq-error';

/** Every GPIO number up to 63 the chip's table calls valid. */
function validGpios(soc: Esp32Soc): number[] {
  const t = socPins(soc);
  const pins: number[] = [];
  for (let n = 0; n < 64; n++) if (isValidGpio(t, n)) pins.push(n);
  return pins;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function warnings(logs: { level: string; message: string }[]): string[] {
  return logs.filter((l) => l.level === 'warn').map((l) => l.message);
}

function requested(env: ReturnType<typeof makeEsp32Board>, pin: number, flags: number): number {
  const irq = env.gpio.gpioToIrq(pin);
  env.core.requestIrq(irq, () => IRQ_HANDLED, flags, `pin${pin}`, {});
  return irq;
}

describe('which GPIOs each chip has', () => {
  test('esp32 has GPIO 0-19, 21-23, 25-27 and 32-39 (20, 24 and 28-31 are not bonded on its modules)', () => {
    expect(validGpios('esp32')).toEqual([...range(0, 19), 21, 22, 23, 25, 26, 27, ...range(32, 39)]);
  });

  test('esp32s3 has GPIO 0-21 and 26-48', () => {
    expect(validGpios('esp32s3')).toEqual([...range(0, 21), ...range(26, 48)]);
  });

  test('esp32c3 has GPIO 0-21', () => {
    expect(validGpios('esp32c3')).toEqual(range(0, 21));
  });

  test('esp32c6 has GPIO 0-30', () => {
    expect(validGpios('esp32c6')).toEqual(range(0, 30));
  });

  test('a GPIO the chip lacks is EINVAL, naming the chip and the GPIOs it has', () => {
    expectIrqError(() => makeEsp32Board({ soc: 'esp32c3' }).gpio.gpioToIrq(22), 'EINVAL', /GPIO22 does not exist on the ESP32-C3 \(0-21\)/);
    expectIrqError(() => makeEsp32Board({ soc: 'esp32s3' }).gpio.gpioToIrq(23), 'EINVAL', /GPIO23 does not exist on the ESP32-S3 \(0-21, 26-48\)/);
    expectIrqError(() => makeEsp32Board({ soc: 'esp32' }).gpio.gpioToIrq(20), 'EINVAL', /GPIO20 does not exist on the ESP32 \(0-19, 21-23, 25-27, 32-39\)/);
  });

  test('Moddable has two DigitalBank banks on chips with GPIOs from 32 up (esp32, esp32s3), one on esp32c3 and esp32c6', () => {
    expect(ESP32_SOCS.map((soc) => [soc, socPins(soc).banks])).toEqual([['esp32', 2], ['esp32s3', 2], ['esp32c3', 1], ['esp32c6', 1]]);
  });

  test('an unknown chip name is refused, listing the chips known', () => {
    expect(() => socPins('esp32s2' as Esp32Soc)).toThrow(RangeError);
    expect(() => socPins('esp32s2' as Esp32Soc)).toThrow(/unknown ESP32 chip 'esp32s2': expected one of esp32, esp32s3, esp32c3, esp32c6/);
  });

  test('Esp32Gpio needs the chip from the build: no soc is a TypeError, an unknown one a RangeError', () => {
    const board = new SimBoard({ seed: 1 });
    const io = createFakeDigitalIo(board);
    const core = new IrqCore({ platform: board.sim.platform });
    expect(() => new Esp32Gpio(core, io, {} as { soc: Esp32Soc })).toThrow(/needs options.soc/);
    expect(() => new Esp32Gpio(core, io, { soc: 'esp8266' as Esp32Soc })).toThrow(RangeError);
  });
});

describe('SPI flash pins are refused', () => {
  test('GPIO 6-11 are refused on esp32 as SPI flash pins', () => {
    const { gpio } = makeEsp32Board({ soc: 'esp32' });
    for (const pin of range(6, 11)) {
      expectIrqError(() => gpio.gpioToIrq(pin), 'EBUSY', new RegExp(`GPIO${pin} is an SPI flash pin on ESP32 modules \\(GPIO 6-11\\); using it crashes the chip`));
    }
  });

  test.each([
    ['esp32s3', range(27, 32)],
    ['esp32c3', range(12, 17)],
    ['esp32c6', range(24, 30)],
  ] as const)('the SPI flash pins of %s are refused: %j', (soc, pins) => {
    const { gpio } = makeEsp32Board({ soc });
    for (const pin of pins) expectIrqError(() => gpio.gpioToIrq(pin), 'EBUSY', /is an SPI flash pin .* using it crashes the chip/);
  });

  test('setPinMode refuses a flash pin too, and nothing is opened', () => {
    const { gpio, io } = makeEsp32Board({ soc: 'esp32' });
    expectIrqError(() => gpio.setPinMode(7, 'pullup'), 'EBUSY', /GPIO7 is an SPI flash pin/);
    expect(io.pinsInUse(0)).toBe(0);
  });
});

describe('pins without pulls, input-only pins', () => {
  test("gpioToIrq(34, 'pullup') is refused: GPIO 34-39 have no pulls", () => {
    const { gpio } = makeEsp32Board({ soc: 'esp32' });
    expectIrqError(() => gpio.gpioToIrq(34, 'pullup'), 'EINVAL', /GPIO34 cannot be 'pullup': GPIO 34-39 are input only and have no internal pull-up or pull-down/);
  });

  test('every pull mode is refused on GPIO 34-39 of esp32, and plain input is accepted', () => {
    const { gpio } = makeEsp32Board({ soc: 'esp32' });
    for (const pin of range(34, 39)) {
      for (const mode of ['pullup', 'pulldown', 'pullupdown'] as const) expectIrqError(() => gpio.setPinMode(pin, mode), 'EINVAL', /no internal pull-up or pull-down/);
      expect(() => gpio.gpioToIrq(pin, 'input')).not.toThrow();
      expect(gpio.pinInfo(pin).mode).toBe('input');
    }
  });

  test('s3, c3 and c6 have pulls on every pin', () => {
    expect(makeEsp32Board({ soc: 'esp32s3' }).gpio.gpioToIrq(38, 'pullup')).toBeGreaterThan(0);
    expect(makeEsp32Board({ soc: 'esp32c3' }).gpio.gpioToIrq(7, 'pulldown')).toBeGreaterThan(0);
    expect(makeEsp32Board({ soc: 'esp32c6' }).gpio.gpioToIrq(22, 'pullupdown')).toBeGreaterThan(0);
  });

  test('GPIO 34-39 are input only on esp32; no pin is on esp32s3, esp32c3 or esp32c6', () => {
    expect(validGpios('esp32').filter((pin) => isInputOnlyGpio(socPins('esp32'), pin))).toEqual(range(34, 39));
    for (const soc of ['esp32s3', 'esp32c3', 'esp32c6'] as const) {
      expect(validGpios(soc).filter((pin) => isInputOnlyGpio(socPins(soc), pin))).toEqual([]);
    }
  });
});

describe('pins that are usually taken are warned about once, not refused', () => {
  test.each([
    ['esp32', 16, /GPIO16 is wired to the PSRAM on ESP32-WROVER modules/],
    ['esp32', 17, /GPIO17 is wired to the PSRAM/],
    ['esp32', 1, /GPIO1 is UART0 TX, the serial console and xsbug/],
    ['esp32', 3, /GPIO3 is UART0 RX/],
    ['esp32s3', 26, /GPIO26 is SPICS1, the PSRAM chip select/],
    ['esp32s3', 35, /GPIO35 is wired to the octal flash or octal PSRAM/],
    ['esp32s3', 43, /GPIO43 is UART0 TX/],
    ['esp32s3', 44, /GPIO44 is UART0 RX/],
    ['esp32s3', 19, /GPIO19 is USB-Serial-JTAG D-/],
    ['esp32s3', 20, /GPIO20 is USB-Serial-JTAG D\+/],
    ['esp32c3', 21, /GPIO21 is UART0 TX/],
    ['esp32c3', 20, /GPIO20 is UART0 RX/],
    ['esp32c3', 18, /GPIO18 is USB-Serial-JTAG D-/],
    ['esp32c3', 19, /GPIO19 is USB-Serial-JTAG D\+/],
    ['esp32c6', 16, /GPIO16 is UART0 TX/],
    ['esp32c6', 17, /GPIO17 is UART0 RX/],
    ['esp32c6', 12, /GPIO12 is USB-Serial-JTAG D-/],
    ['esp32c6', 13, /GPIO13 is USB-Serial-JTAG D\+/],
  ] as const)('%s GPIO%i is warned about through the core log', (soc, pin, message) => {
    const { gpio, logs } = makeEsp32Board({ soc });
    expect(gpio.gpioToIrq(pin)).toBeGreaterThan(0);
    expect(warnings(logs)).toHaveLength(1);
    expect(warnings(logs)[0]).toMatch(message);
  });

  test('the warning is given once per pin, however often the pin is asked for', () => {
    const { gpio, logs } = makeEsp32Board({ soc: 'esp32' });
    gpio.gpioToIrq(16);
    gpio.setPinMode(16, 'pullup');
    gpio.gpioToIrq(16);
    gpio.gpioToIrq(17);
    expect(warnings(logs)).toEqual([expect.stringMatching(/GPIO16/), expect.stringMatching(/GPIO17/)]);
  });

  test('a warned pin works: its irq fires', async () => {
    const env = makeEsp32Board({ soc: 'esp32c3' });
    const out = env.board.pin(20).pushPull('test');
    out.drive(0);
    let calls = 0;
    env.core.requestIrq(env.gpio.gpioToIrq(20), () => (calls++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'rx', {});
    out.drive(1);
    await env.sim.advance(100);
    expect(calls).toBe(1);
  });

  test('an ordinary pin logs nothing', () => {
    const { gpio, logs } = makeEsp32Board({ soc: 'esp32' });
    gpio.gpioToIrq(4, 'pullup');
    gpio.gpioToIrq(25);
    expect(logs).toEqual([]);
  });
});

describe('wake from sleep, per chip', () => {
  test('every valid GPIO of every chip can wake it from light sleep (gpio_wakeup_enable)', () => {
    for (const soc of ESP32_SOCS) {
      for (const pin of validGpios(soc)) expect(canWakeFromLightSleep(socPins(soc), pin)).toBe(true);
    }
  });

  test('esp32s3: RTC GPIO 0-21 wake it from deep sleep through ext1 ANY_LOW, several active-low pins together', () => {
    const env = makeEsp32Board({ soc: 'esp32s3' });
    env.core.irqSetIrqWake(requested(env, 0, IRQF_TRIGGER_LOW), true);
    env.core.irqSetIrqWake(requested(env, 21, IRQF_TRIGGER_FALLING), true);
    expect(env.gpio.wakeSources()).toEqual({
      gpio: [{ pin: 0, level: 0 }, { pin: 21, level: 0 }], ext1: { pins: [0, 21], mask: 1 + 2 ** 21, mode: 'any-low' }, deepSleepGpio: undefined,
    });
  });

  test('esp32s3: ext1 has one mode, so a high pin after a low one is ENOSYS', () => {
    const env = makeEsp32Board({ soc: 'esp32s3' });
    env.core.irqSetIrqWake(requested(env, 5, IRQF_TRIGGER_LOW), true);
    expectIrqError(() => env.core.irqSetIrqWake(requested(env, 6, IRQF_TRIGGER_RISING), true), 'ENOSYS', /one mode \(ANY_LOW or ANY_HIGH\)/);
  });

  test('esp32s3: GPIO 38 is not an RTC GPIO and cannot wake it from deep sleep; from light sleep it can', () => {
    const deep = makeEsp32Board({ soc: 'esp32s3' });
    expectIrqError(() => deep.core.irqSetIrqWake(requested(deep, 38, IRQF_TRIGGER_LOW), true), 'ENOSYS', /GPIO38 is not an RTC GPIO and cannot wake the ESP32-S3 from deep sleep \(ext1 watches 0-21\)/);
    const light = makeEsp32Board({ soc: 'esp32s3', deepSleepWake: false });
    light.core.irqSetIrqWake(requested(light, 38, IRQF_TRIGGER_LOW), true);
    expect(light.gpio.wakeSources().gpio).toEqual([{ pin: 38, level: 0 }]);
  });

  test('esp32c3: GPIO 0-5 wake it from deep sleep through the GPIO wake-up, each pin with its own level', () => {
    const env = makeEsp32Board({ soc: 'esp32c3' });
    env.core.irqSetIrqWake(requested(env, 2, IRQF_TRIGGER_LOW), true);
    env.core.irqSetIrqWake(requested(env, 4, IRQF_TRIGGER_RISING), true);
    env.core.irqSetIrqWake(requested(env, 5, IRQF_TRIGGER_LOW), true);
    const sources = env.gpio.wakeSources();
    expect(sources.ext1).toBeUndefined();
    expect(sources.deepSleepGpio).toEqual({ pins: [2, 4, 5], lowMask: 2 ** 2 + 2 ** 5, highMask: 2 ** 4 });
  });

  test('esp32c3: GPIO 6 cannot wake it from deep sleep', () => {
    const env = makeEsp32Board({ soc: 'esp32c3' });
    expectIrqError(() => env.core.irqSetIrqWake(requested(env, 6, IRQF_TRIGGER_LOW), true), 'ENOSYS', /GPIO6 is not an RTC GPIO and cannot wake the ESP32-C3 from deep sleep \(esp_deep_sleep_enable_gpio_wakeup takes 0-5\)/);
  });

  test('esp32c6: LP GPIO 0-7 wake it from deep sleep through ext1; GPIO 8 cannot', () => {
    const env = makeEsp32Board({ soc: 'esp32c6' });
    env.core.irqSetIrqWake(requested(env, 7, IRQF_TRIGGER_RISING), true);
    expect(env.gpio.wakeSources().ext1).toEqual({ pins: [7], mask: 2 ** 7, mode: 'any-high' });
    expectIrqError(() => env.core.irqSetIrqWake(requested(env, 8, IRQF_TRIGGER_RISING), true), 'ENOSYS', /GPIO8 is not an LP GPIO and cannot wake the ESP32-C6 from deep sleep \(ext1 watches 0-7\)/);
  });

  test('esp32: GPIO 34-39 wake it through ext1 like the other RTC GPIOs', () => {
    const env = makeEsp32Board({ soc: 'esp32' });
    env.core.irqSetIrqWake(requested(env, 39, IRQF_TRIGGER_RISING), true);
    expect(env.gpio.wakeSources().ext1).toEqual({ pins: [39], mask: 2 ** 39, mode: 'any-high' });
  });
});

describe('the simulated board takes the same tables', () => {
  test.each([20, 24, 28, 31, 40])('the simulated board refuses GPIO %i on esp32', (pin) => {
    const board = new SimBoard({ seed: 1 });
    expect(() => board.pin(pin)).toThrow(RangeError);
    expect(() => board.pin(pin)).toThrow(new RegExp(`GPIO${pin} does not exist on the ESP32 \\(0-19, 21-23, 25-27, 32-39\\)`));
    expect(() => board.gpio.setIntType(pin, 1)).toThrow(RangeError);
    // Booted, the HAL's chip refuses it as it does on the board: EINVAL.
    expectIrqError(() => makeEsp32Board({ soc: 'esp32' }).gpioToIrq(pin), 'EINVAL', new RegExp(`GPIO${pin} does not exist on the ESP32`));
  });

  test("the simulated board's chip is esp32 unless told", () => {
    expect(new SimBoard({ seed: 1 }).soc).toBe('esp32');
  });

  test('a simulated esp32c3 has GPIO 0-21 and no GPIO 22; a simulated esp32s3 has GPIO 48', () => {
    const c3 = new SimBoard({ seed: 1, soc: 'esp32c3' });
    expect(() => c3.pin(21)).not.toThrow();
    expect(() => c3.pin(22)).toThrow(/GPIO22 does not exist on the ESP32-C3 \(0-21\)/);
    expect(() => new SimBoard({ seed: 1, soc: 'esp32s3' }).pin(48)).not.toThrow();
  });

  test("the DigitalBank fake uses the board's chip: one bank on esp32c3", () => {
    const io = createFakeDigitalIo(new SimBoard({ seed: 1, soc: 'esp32c3' }));
    expect(() => new io.DigitalBank({ pins: 1, bank: 1, mode: io.DigitalBank.Input })).toThrow('invalid bank');
    expect(() => new io.DigitalBank({ pins: 1 << 22, mode: io.DigitalBank.Input })).toThrow('invalid pin');
    expect(() => new io.DigitalBank({ pins: 1 << 21, mode: io.DigitalBank.Output }).close()).not.toThrow();
  });

  test("the DigitalBank fake uses the board's chip: GPIO 34 drives on esp32s3, is input only on esp32", () => {
    const s3 = createFakeDigitalIo(new SimBoard({ seed: 1, soc: 'esp32s3' }));
    expect(() => new s3.DigitalBank({ pins: 1 << 2, bank: 1, mode: s3.DigitalBank.Output }).close()).not.toThrow();
    const esp32 = createFakeDigitalIo(new SimBoard({ seed: 1 }));
    expect(() => new esp32.DigitalBank({ pins: 1 << 2, bank: 1, mode: esp32.DigitalBank.Output })).toThrow('input only');
  });
});
