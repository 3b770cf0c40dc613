/*
 * Declarations after Moddable's xs/includes/xs.h and xsmc.h: the machine and slot types, and the macros the glue
 * uses, each with its real name and arguments. The real xsArg/xsResult/xsGlobal index the machine's frame and
 * stack, and xsBeginHost/xsEndHost open and close a block around a setjmp; here they reach declared functions.
 */
#ifndef DECL_XSMC_H
#define DECL_XSMC_H
#include <stdint.h>

typedef struct sxMachine xsMachine;
typedef struct sxSlot { void *next; uint8_t ID[2]; uint8_t flag; uint8_t kind; uint64_t value; } xsSlot;
typedef int32_t xsIntegerValue;
typedef uint32_t xsUnsignedValue;
typedef int32_t xsBooleanValue;

xsSlot *fxDeclArg(xsMachine *the, int index);
xsSlot *fxDeclResult(xsMachine *the);
xsSlot *fxDeclGlobal(xsMachine *the);
#define xsArg(_INDEX) (*fxDeclArg(the, _INDEX))
#define xsResult (*fxDeclResult(the))
#define xsGlobal (*fxDeclGlobal(the))

xsIntegerValue fxToInteger(xsMachine *the, xsSlot *theSlot);
void fxInteger(xsMachine *the, xsSlot *theSlot, xsIntegerValue theValue);
void fxNumber(xsMachine *the, xsSlot *theSlot, double theValue);
xsBooleanValue fxIsCallable(xsMachine *the, xsSlot *slot);
void _xsmcGetBuffer(xsMachine *the, xsSlot *slot, void **data, xsUnsignedValue *count, xsBooleanValue writable);
void fxThrowMessage(xsMachine *the, char *path, int line, int error, const char *format, ...);
void fxRemember(xsMachine *the, xsSlot *theSlot);
void fxForget(xsMachine *the, xsSlot *theSlot);
xsSlot fxDeclCall0(xsMachine *the, xsSlot *function, xsSlot *self);
xsMachine *fxBeginHost(xsMachine *the);
void fxEndHost(xsMachine *the);

#define XS_UNKNOWN_ERROR 1
#define XS_RANGE_ERROR 4
#define xsmcToInteger(_SLOT) fxToInteger(the, &_SLOT)
#define xsmcSetInteger(_SLOT, _VALUE) fxInteger(the, &_SLOT, _VALUE)
#define xsmcSetNumber(_SLOT, _VALUE) fxNumber(the, &_SLOT, _VALUE)
#define xsmcIsCallable(_SLOT) fxIsCallable(the, &_SLOT)
#define xsmcGetBufferWritable(_SLOT, data, count) _xsmcGetBuffer(the, &_SLOT, data, count, 1)
#define xsUnknownError(...) fxThrowMessage(the, (char *)__FILE__, __LINE__, XS_UNKNOWN_ERROR, __VA_ARGS__)
#define xsRangeError(...) fxThrowMessage(the, (char *)__FILE__, __LINE__, XS_RANGE_ERROR, __VA_ARGS__)
#define xsRemember(_SLOT) fxRemember(the, &(_SLOT))
#define xsForget(_SLOT) fxForget(the, &(_SLOT))
#define xsCallFunction0(_FUNCTION, _THIS) fxDeclCall0(the, &(_FUNCTION), &(_THIS))
#define xsBeginHost(_THE) \
	do { \
		xsMachine *__HOST_THE__ = _THE; \
		xsMachine *the = fxBeginHost(__HOST_THE__)
#define xsEndHost(_THE) \
		fxEndHost(the); \
	} while (0)
#endif
