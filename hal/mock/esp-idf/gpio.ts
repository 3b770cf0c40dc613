/*
 * ESP-IDF's GPIO driver on the simulated peripheral (hal/mock/gpio-peripheral.ts): the calls Moddable's IO
 * makes (components/esp_driver_gpio/src/gpio.c, ESP-IDF 6.0) and the ISR service they install, so the
 * ECMA-419 fakes (and a native GPIO module later) sit on the hardware model as the real code sits on the chip.
 *
 * As in gpio.c:
 * - gpio_install_isr_service allocates the GPIO interrupt source once (a second call is
 *   ESP_ERR_INVALID_STATE); gpio_isr_handler_add/remove need it (ESP_ERR_INVALID_STATE otherwise).
 * - The service (gpio_intr_service) reads GPIO_PCPU_INT (status & enable) for each bank and walks the bits
 *   (gpio_isr_loop): an edge type's bit is cleared on entry, before the pin's handler runs, so an edge during
 *   the handler latches again; a level type's bit is cleared after the handler (and sets again at once while
 *   the level holds). A bit without a handler is cleared and nothing runs.
 * - gpio_isr_handler_add enables the pin's interrupt itself (so the type is set first).
 * - gpio_intr_enable clears the pin's status bit, then enables it; gpio_intr_disable disables it, then clears
 *   the bit (hal/gpio_hal.c: gpio_hal_intr_enable_on_core, gpio_hal_intr_disable). So a latch left from before
 *   never fires a pin armed anew. gpio_isr_handler_remove and gpio_reset_pin disable the pin's interrupt;
 *   gpio_reset_pin also sets its type to GPIO_INTR_DISABLE. (gpio_reset_pin also selects the pull-up; the
 *   pads' pulls are the IO fakes' business.)
 * - Errors are thrown as `EspIdfError` carrying the esp_err_t name, where C returns it.
 *
 * The driver is a singleton per chip in ESP-IDF (static gpio_context); here one per simulated peripheral.
 */
import {
  GPIO_INTR_ANYEDGE, GPIO_INTR_DISABLE, GPIO_INTR_NEGEDGE, GPIO_INTR_POSEDGE, type Esp32GpioPeripheral,
} from '../gpio-peripheral';

export type EspErr = 'ESP_ERR_INVALID_STATE';

export class EspIdfError extends Error {
  constructor(readonly code: EspErr, message: string) {
    super(`${code}: ${message}`);
    this.name = 'EspIdfError';
  }
}

/** A per-pin ISR handler (gpio_isr_t with its argument bound). */
export type GpioIsr = () => void;

export interface EspIdfGpio {
  readonly peripheral: Esp32GpioPeripheral;
  gpioInstallIsrService(): void;
  /** Whether the ISR service is installed (gpio_context.gpio_isr_func != NULL). */
  readonly isrServiceInstalled: boolean;
  gpioIsrHandlerAdd(pin: number, isr: GpioIsr): void;
  gpioIsrHandlerRemove(pin: number): void;
  gpioSetIntrType(pin: number, intType: number): void;
  gpioIntrEnable(pin: number): void;
  gpioIntrDisable(pin: number): void;
  gpioGetLevel(pin: number): 0 | 1;
  gpioResetPin(pin: number): void;
}

const drivers = new WeakMap<Esp32GpioPeripheral, EspIdfGpio>();

/** The GPIO driver of a simulated chip: the same object for every caller, as gpio.c's static context. */
export function espIdfGpio(peripheral: Esp32GpioPeripheral): EspIdfGpio {
  let driver = drivers.get(peripheral);
  if (driver === undefined) {
    driver = createDriver(peripheral);
    drivers.set(peripheral, driver);
  }
  return driver;
}

function isEdge(intType: number): boolean {
  return intType === GPIO_INTR_POSEDGE || intType === GPIO_INTR_NEGEDGE || intType === GPIO_INTR_ANYEDGE;
}

function createDriver(peripheral: Esp32GpioPeripheral): EspIdfGpio {
  const handlers = new Map<number, GpioIsr>();
  const banks = Math.ceil(peripheral.soc.gpioCount / 32);
  let installed = false;

  function requireService(call: string): void {
    if (!installed) throw new EspIdfError('ESP_ERR_INVALID_STATE', `${call}: GPIO isr service is not installed, call gpio_install_isr_service() first`);
  }

  /** gpio_intr_service with gpio_isr_loop, bank by bank. */
  function service(): void {
    for (let bank = 0; bank < banks; bank++) {
      let status = peripheral.readInterruptStatus(bank);
      while (status !== 0) {
        const bit = 31 - Math.clz32(status & -status);
        status &= ~(1 << bit);
        const pin = bank * 32 + bit;
        const clearOnEntry = isEdge(peripheral.intType(pin));
        if (clearOnEntry) peripheral.clearStatus(bank, 1 << bit);
        handlers.get(pin)?.();
        if (!clearOnEntry) peripheral.clearStatus(bank, 1 << bit);
      }
    }
  }

  function intrEnable(pin: number): void {
    peripheral.clearStatus(pin >> 5, 1 << (pin & 31));
    peripheral.setIntEnable(pin, true);
  }

  function intrDisable(pin: number): void {
    peripheral.setIntEnable(pin, false);
    peripheral.clearStatus(pin >> 5, 1 << (pin & 31));
  }

  return Object.freeze({
    peripheral,
    get isrServiceInstalled() {
      return installed;
    },
    gpioInstallIsrService() {
      if (installed) throw new EspIdfError('ESP_ERR_INVALID_STATE', 'GPIO isr service already installed');
      peripheral.attachIsr(service);
      installed = true;
    },
    // gpio.c's gpio_isr_handler_add disables the pin's interrupt, stores the handler and enables it again.
    gpioIsrHandlerAdd(pin: number, isr: GpioIsr) {
      requireService('gpio_isr_handler_add');
      peripheral.intType(pin); // RangeError for a GPIO the chip lacks (GPIO_IS_VALID_GPIO)
      peripheral.setIntEnable(pin, false);
      handlers.set(pin, isr);
      intrEnable(pin);
    },
    gpioIsrHandlerRemove(pin: number) {
      requireService('gpio_isr_handler_remove');
      intrDisable(pin);
      handlers.delete(pin);
    },
    gpioSetIntrType(pin: number, intType: number) {
      peripheral.setIntType(pin, intType);
    },
    gpioIntrEnable: intrEnable,
    gpioIntrDisable: intrDisable,
    gpioGetLevel(pin: number) {
      return ((peripheral.readIn(pin >> 5) >>> (pin & 31)) & 1) as 0 | 1;
    },
    gpioResetPin(pin: number) {
      intrDisable(pin);
      peripheral.setIntType(pin, GPIO_INTR_DISABLE);
    },
  });
}
