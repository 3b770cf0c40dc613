/*
 * Declarations after ESP-IDF 6.0 components/esp_driver_gpio/include/driver/gpio.h, with the enums it includes from
 * components/esp_hal_gpio/include/hal/gpio_types.h and soc/gpio_num.h (GPIO_NUM_MAX depends on the target; the
 * enum's type is int because GPIO_NUM_NC is -1).
 */
#ifndef DECL_DRIVER_GPIO_H
#define DECL_DRIVER_GPIO_H
#include "esp_err.h"

typedef enum { GPIO_NUM_NC = -1, GPIO_NUM_0 = 0 } gpio_num_t;
typedef enum {
	GPIO_INTR_DISABLE = 0, GPIO_INTR_POSEDGE = 1, GPIO_INTR_NEGEDGE = 2, GPIO_INTR_ANYEDGE = 3,
	GPIO_INTR_LOW_LEVEL = 4, GPIO_INTR_HIGH_LEVEL = 5, GPIO_INTR_MAX,
} gpio_int_type_t;
typedef enum {
	GPIO_MODE_DISABLE = 0, GPIO_MODE_INPUT = 1, GPIO_MODE_OUTPUT = 2, GPIO_MODE_OUTPUT_OD = 6,
	GPIO_MODE_INPUT_OUTPUT_OD = 7, GPIO_MODE_INPUT_OUTPUT = 3,
} gpio_mode_t;
typedef enum { GPIO_PULLUP_ONLY, GPIO_PULLDOWN_ONLY, GPIO_PULLUP_PULLDOWN, GPIO_FLOATING } gpio_pull_mode_t;
typedef void (*gpio_isr_t)(void *arg);

esp_err_t gpio_reset_pin(gpio_num_t gpio_num);
esp_err_t gpio_set_intr_type(gpio_num_t gpio_num, gpio_int_type_t intr_type);
esp_err_t gpio_intr_enable(gpio_num_t gpio_num);
esp_err_t gpio_intr_disable(gpio_num_t gpio_num);
int gpio_get_level(gpio_num_t gpio_num);
esp_err_t gpio_set_direction(gpio_num_t gpio_num, gpio_mode_t mode);
esp_err_t gpio_set_pull_mode(gpio_num_t gpio_num, gpio_pull_mode_t pull);
esp_err_t gpio_install_isr_service(int intr_alloc_flags);
esp_err_t gpio_uninstall_isr_service(void);
esp_err_t gpio_isr_handler_add(gpio_num_t gpio_num, gpio_isr_t isr_handler, void *args);
esp_err_t gpio_isr_handler_remove(gpio_num_t gpio_num);
#endif
