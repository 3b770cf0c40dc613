/* Declarations after ESP-IDF 6.0 components/esp_common/include/esp_attr.h: IRAM_ATTR places code in IRAM. */
#ifndef DECL_ESP_ATTR_H
#define DECL_ESP_ATTR_H
#define IRAM_ATTR __attribute__((section(".iram1")))
#endif
