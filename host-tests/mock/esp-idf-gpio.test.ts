/*
 * ESP-IDF's GPIO driver on the simulated peripheral (hal/mock/esp-idf/gpio.ts), against gpio.c: the ISR
 * service installed once, per-pin handlers that need it, edge bits cleared before the handler and level bits
 * after it, handler removal and gpio_reset_pin disabling the pin.
 */
import { EspIdfError, espIdfGpio } from '../../hal/mock/esp-idf/gpio';
import {
  Esp32GpioPeripheral, GPIO_INTR_DISABLE, GPIO_INTR_LOW_LEVEL, GPIO_INTR_POSEDGE,
} from '../../hal/mock/gpio-peripheral';
import { Simulator } from '../../hal/mock/sim';

function driver() {
  const sim = new Simulator({ seed: 1 });
  const peripheral = new Esp32GpioPeripheral(sim);
  return { sim, peripheral, idf: espIdfGpio(peripheral) };
}

const BIT4 = 1 << 4;

function espErr(fn: () => unknown): EspIdfError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EspIdfError);
    return err as EspIdfError;
  }
  throw new Error('expected an EspIdfError');
}

describe('the ISR service', () => {
  test('one driver per chip: every caller gets the same object, as gpio.c\'s static context', () => {
    const { peripheral, idf } = driver();
    expect(espIdfGpio(peripheral)).toBe(idf);
    expect(espIdfGpio(new Esp32GpioPeripheral(new Simulator()))).not.toBe(idf);
  });

  test('gpio_install_isr_service installs once: a second call is ESP_ERR_INVALID_STATE', () => {
    const { peripheral, idf } = driver();
    expect(idf.isrServiceInstalled).toBe(false);
    idf.gpioInstallIsrService();
    expect(idf.isrServiceInstalled).toBe(true);
    const err = espErr(() => idf.gpioInstallIsrService());
    expect(err.code).toBe('ESP_ERR_INVALID_STATE');
    expect(err.message).toMatch(/already installed/);
    // The service owns the CPU interrupt source.
    expect(() => peripheral.attachIsr(() => {})).toThrow(/already has an ISR/);
  });

  test('gpio_isr_handler_add and _remove without the service are ESP_ERR_INVALID_STATE', () => {
    const { idf } = driver();
    expect(espErr(() => idf.gpioIsrHandlerAdd(4, () => {})).message).toMatch(/gpio_isr_handler_add: GPIO isr service is not installed/);
    expect(espErr(() => idf.gpioIsrHandlerRemove(4)).code).toBe('ESP_ERR_INVALID_STATE');
  });

  test('a handler for a GPIO the chip lacks is refused', () => {
    const { idf } = driver();
    idf.gpioInstallIsrService();
    expect(() => idf.gpioIsrHandlerAdd(20, () => {})).toThrow(RangeError);
  });
});

describe('servicing the interrupt', () => {
  test('an edge pin\'s bit is cleared before its handler runs, so an edge during the handler latches again', async () => {
    const { sim, peripheral, idf } = driver();
    const d = peripheral.net(4).pushPull('ext');
    d.drive(0);
    const seen: number[] = [];
    idf.gpioInstallIsrService();
    idf.gpioIsrHandlerAdd(4, () => {
      seen.push(peripheral.readStatus(0));
      if (seen.length === 1) {
        d.drive(0);
        d.drive(1); // a new edge while the handler runs
      }
    });
    idf.gpioSetIntrType(4, GPIO_INTR_POSEDGE);
    idf.gpioIntrEnable(4);
    d.drive(1);
    expect(seen).toEqual([]); // the CPU takes the interrupt in a job of its own
    await sim.advance(0);
    expect(seen).toEqual([0, 0]); // cleared on entry both times; the second edge made the second run
    expect(peripheral.interruptsTaken).toBe(2);
    expect(peripheral.readStatus(0)).toBe(0);
  });

  test('a level pin\'s bit is cleared after its handler: the handler sees it set, and it sets again while the level holds', async () => {
    const { sim, peripheral, idf } = driver();
    const d = peripheral.net(4).pushPull('ext');
    d.drive(1);
    const seen: number[] = [];
    idf.gpioInstallIsrService();
    idf.gpioIsrHandlerAdd(4, () => {
      seen.push(peripheral.readStatus(0));
      if (seen.length === 2) d.drive(1); // the device lets go during the second run
    });
    idf.gpioSetIntrType(4, GPIO_INTR_LOW_LEVEL);
    idf.gpioIntrEnable(4);
    d.drive(0);
    await sim.advance(0);
    expect(seen).toEqual([BIT4, BIT4]);
    expect(peripheral.readStatus(0)).toBe(0);
  });

  test('pins are serviced in bit order, bank 0 then bank 1, one ISR run for all latched together', async () => {
    const { sim, peripheral, idf } = driver();
    const order: number[] = [];
    idf.gpioInstallIsrService();
    for (const pin of [33, 12, 4]) {
      idf.gpioIsrHandlerAdd(pin, () => void order.push(pin));
      idf.gpioSetIntrType(pin, GPIO_INTR_POSEDGE);
      idf.gpioIntrEnable(pin);
    }
    peripheral.setStatus(1, 1 << 1);
    peripheral.setStatus(0, (1 << 12) | BIT4);
    await sim.advance(0);
    expect(order).toEqual([4, 12, 33]);
    expect(peripheral.interruptsTaken).toBe(1);
  });

  test('a latched bit with no handler is cleared and nothing runs', async () => {
    const { sim, peripheral, idf } = driver();
    idf.gpioInstallIsrService();
    idf.gpioSetIntrType(4, GPIO_INTR_POSEDGE);
    idf.gpioIntrEnable(4);
    peripheral.setStatus(0, BIT4);
    await sim.advance(0);
    expect(peripheral.interruptsTaken).toBe(1);
    expect(peripheral.readStatus(0)).toBe(0);
  });
});

describe('taking a pin away', () => {
  test('gpio_isr_handler_remove disables the pin\'s interrupt and drops its handler', async () => {
    const { sim, peripheral, idf } = driver();
    let runs = 0;
    idf.gpioInstallIsrService();
    idf.gpioIsrHandlerAdd(4, () => void runs++);
    idf.gpioSetIntrType(4, GPIO_INTR_POSEDGE);
    idf.gpioIntrEnable(4);
    idf.gpioIsrHandlerRemove(4);
    expect(peripheral.intEnabled(4)).toBe(false);
    peripheral.setStatus(0, BIT4);
    await sim.advance(0);
    expect(peripheral.interruptsTaken).toBe(0);
    // Enabled again, the bit set while disabled is cleared first (gpio_hal_intr_enable_on_core): no interrupt.
    idf.gpioIntrEnable(4);
    await sim.advance(0);
    expect(peripheral.interruptsTaken).toBe(0);
    expect(peripheral.readStatus(0)).toBe(0);
    // A new edge with no handler is taken, cleared, and runs nothing.
    peripheral.setStatus(0, BIT4);
    await sim.advance(0);
    expect(peripheral.interruptsTaken).toBe(1);
    expect(peripheral.readStatus(0)).toBe(0);
    expect(runs).toBe(0);
  });

  test('gpio_intr_enable clears a latch left from before; gpio_intr_disable clears the bit too', () => {
    const { peripheral, idf } = driver();
    idf.gpioSetIntrType(4, GPIO_INTR_POSEDGE);
    peripheral.setStatus(0, BIT4);
    idf.gpioIntrEnable(4);
    expect(peripheral.readStatus(0)).toBe(0);
    peripheral.setStatus(0, BIT4);
    idf.gpioIntrDisable(4);
    expect(peripheral.readStatus(0)).toBe(0);
    expect(peripheral.intEnabled(4)).toBe(false);
  });

  test('gpio_reset_pin disables the interrupt and sets the type to GPIO_INTR_DISABLE (dropping a latched edge)', () => {
    const { peripheral, idf } = driver();
    idf.gpioSetIntrType(4, GPIO_INTR_POSEDGE);
    idf.gpioIntrEnable(4);
    peripheral.setStatus(0, BIT4);
    idf.gpioResetPin(4);
    expect(peripheral.intEnabled(4)).toBe(false);
    expect(peripheral.intType(4)).toBe(GPIO_INTR_DISABLE);
    expect(peripheral.readStatus(0)).toBe(0);
  });

  test('gpio_get_level reads the pad', () => {
    const { peripheral, idf } = driver();
    const d = peripheral.net(33).pushPull('ext');
    d.drive(1);
    expect(idf.gpioGetLevel(33)).toBe(1);
    d.drive(0);
    expect(idf.gpioGetLevel(33)).toBe(0);
  });
});
