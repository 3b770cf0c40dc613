/* Declarations after Moddable's modules/io/common/builtinCommon.h: the ECMA-419 IO pin-use rules. */
#ifndef DECL_BUILTINCOMMON_H
#define DECL_BUILTINCOMMON_H
#include <stdint.h>
uint8_t builtinArePinsFree(uint32_t bank, uint32_t pins);
uint8_t builtinUsePins(uint32_t bank, uint32_t pins);
void builtinFreePins(uint32_t bank, uint32_t pins);
#define builtinIsPinFree(pin) builtinArePinsFree(pin >> 5, 1 << (pin & 0x1F))
#define builtinUsePin(pin) builtinUsePins(pin >> 5, 1 << (pin & 0x1F))
#define builtinFreePin(pin) builtinFreePins(pin >> 5, 1 << (pin & 0x1F))
#endif
