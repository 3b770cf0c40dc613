/*
 * What gpio_irq.c needs of its platform, and nothing more. Two implementations:
 * - gpio_irq_esp32.c, on the board: ESP-IDF's GPIO driver (components/esp_driver_gpio), esp_timer, a FreeRTOS
 *   spinlock (portMUX_TYPE) and Moddable's message post and pin-use rules (xs/platforms/esp/xsHost.h,
 *   modules/io/common/builtinCommon.h);
 * - host/gpio_irq_host.c, on the host: the same calls forwarded to the simulated ESP32 GPIO peripheral's
 *   driver twin (hal/mock/esp-idf/gpio.ts) and the simulator.
 * `platform` is the pointer gpio_irq_init was given.
 */
#ifndef GPIO_IRQ_PLATFORM_H
#define GPIO_IRQ_PLATFORM_H

#include <stdint.h>

/*
 * The ISR and what it calls go to IRAM on the board (IRAM_ATTR). Moddable installs the GPIO ISR service with
 * flags 0, and whoever installs it first chooses, so the service is not ESP_INTR_FLAG_IRAM and runs with the
 * cache on: gpio_get_level and gpio_intr_disable, which are in IRAM only with CONFIG_GPIO_CTRL_FUNC_IN_IRAM,
 * are safe to call from it.
 */
#ifdef ESP_PLATFORM
#include "esp_attr.h"
#define GPIO_IRQ_ISR_ATTR IRAM_ATTR
#else
#define GPIO_IRQ_ISR_ATTR
#endif

/* Microseconds since boot (esp_timer_get_time). Callable from the ISR. */
int64_t gpio_irq_platform_now_us(void *platform);
/* The pin's input level, 0 or 1 (gpio_get_level). Callable from the ISR. */
int gpio_irq_platform_get_level(void *platform, int pin);

/*
 * Claims the pin under the platform's pin-use rules and makes it an input with the pull; then sets the trigger
 * type and adds `isr(line)` as the pin's handler, which enables its interrupt (gpio_isr_handler_add does).
 * GPIO_IRQ_OK, GPIO_IRQ_EBUSY if another IO holds the pin, GPIO_IRQ_EINVAL or GPIO_IRQ_EIO otherwise; on an
 * error nothing is left claimed.
 */
int gpio_irq_platform_attach(void *platform, int pin, int type, int pull, void (*isr)(void *), void *line);
/* Removes the handler, resets the pin and gives it back. */
void gpio_irq_platform_detach(void *platform, int pin);
/* Sets the trigger type (gpio_set_intr_type). GPIO_IRQ_OK or GPIO_IRQ_EIO. */
int gpio_irq_platform_set_type(void *platform, int pin, int type);
/* gpio_intr_enable (which clears a stale status bit first) and gpio_intr_disable. Disable is ISR-safe. */
void gpio_irq_platform_intr_enable(void *platform, int pin);
void gpio_irq_platform_intr_disable(void *platform, int pin);

/* The spinlock the ISR and the task share: the task's and the ISR's forms (portENTER_CRITICAL[_ISR]). */
void gpio_irq_platform_lock(void *platform);
void gpio_irq_platform_unlock(void *platform);
void gpio_irq_platform_lock_from_isr(void *platform);
void gpio_irq_platform_unlock_from_isr(void *platform);

/* From the ISR: asks the JavaScript thread to read the ring. 0 when posted, nonzero when the post failed. */
int gpio_irq_platform_post_from_isr(void *platform);

#endif
