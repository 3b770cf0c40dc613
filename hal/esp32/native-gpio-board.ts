/*
 * The native GPIO module on the board: the host functions of native/gpio-irq/gpio_irq_esp32.c. XS's compiler
 * turns each `native("name")` into the C function of that name (xsc's -c, which mcconfig passes for a device
 * build: xs/sources/xsSyntaxical.c); the manifest (manifests/esp32-native.json) builds the C beside this module.
 * Creating these function objects at load touches no IO, so the module survives preload; the object is frozen.
 */
import type { NativeGpioModule } from './native-gpio-module';

/** XS's native-function form: a host function by its C name (device builds only). */
declare function native<F>(name: string): F;

export const esp32NativeGpio: NativeGpioModule = Object.freeze({
  open: native<NativeGpioModule['open']>('xs_gpio_irq_open'),
  close: native<NativeGpioModule['close']>('xs_gpio_irq_close'),
  setType: native<NativeGpioModule['setType']>('xs_gpio_irq_set_type'),
  mask: native<NativeGpioModule['mask']>('xs_gpio_irq_mask'),
  unmask: native<NativeGpioModule['unmask']>('xs_gpio_irq_unmask'),
  level: native<NativeGpioModule['level']>('xs_gpio_irq_level'),
  now: native<NativeGpioModule['now']>('xs_gpio_irq_now'),
  read: native<NativeGpioModule['read']>('xs_gpio_irq_read'),
  counters: native<NativeGpioModule['counters']>('xs_gpio_irq_counters'),
  lineCounters: native<NativeGpioModule['lineCounters']>('xs_gpio_irq_line_counters'),
  onReadable: native<NativeGpioModule['onReadable']>('xs_gpio_irq_on_readable'),
});
