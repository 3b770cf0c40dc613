/* Declarations after Moddable's xs/platforms/esp/xsHost.h (the message post to the XS task). */
#ifndef DECL_XSHOST_H
#define DECL_XSHOST_H
#include <stdint.h>
#include "xsmc.h"
typedef void (*modMessageDeliver)(void *the, void *refcon, uint8_t *message, uint16_t messageLength);
int modMessagePostToMachine(xsMachine *the, uint8_t *message, uint16_t messageLength, modMessageDeliver callback, void *refcon);
/* From an ISR: 0 when queued, -1 when the task's queue is full (Moddable since 2026-01-05; before, always 0). */
int modMessagePostToMachineFromISR(xsMachine *the, modMessageDeliver callback, void *refcon);
#endif
