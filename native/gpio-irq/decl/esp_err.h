/* Declarations after ESP-IDF 6.0 components/esp_common/include/esp_err.h. */
#ifndef DECL_ESP_ERR_H
#define DECL_ESP_ERR_H
typedef int esp_err_t;
#define ESP_OK 0
#define ESP_FAIL -1
#define ESP_ERR_NO_MEM 0x101
#define ESP_ERR_INVALID_ARG 0x102
#define ESP_ERR_INVALID_STATE 0x103
#define ESP_ERR_NOT_FOUND 0x105
#endif
