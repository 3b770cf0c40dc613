/* Declarations after ESP-IDF 6.0 components/esp_timer/include/esp_timer.h. */
#ifndef DECL_ESP_TIMER_H
#define DECL_ESP_TIMER_H
#include <stdint.h>
/* Microseconds since esp_timer's initialisation; in IRAM (CONFIG_ESP_TIMER_IN_IRAM), so callable from an ISR. */
int64_t esp_timer_get_time(void);
#endif
