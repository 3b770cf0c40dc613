/*
 * gpio_irq.c on the board: gpio_irq_platform.h over ESP-IDF's GPIO driver, esp_timer and a FreeRTOS spinlock,
 * and the module's JavaScript functions on xsmc (hal/esp32/gpio-irq-native.ts declares them with native()).
 * The only file with platform headers; host/gpio_irq_host.c is its twin on the simulated board.
 *
 * As Moddable's own IO does (modules/io/digital/esp32/digitalbank.c): pins are claimed with builtinUsePin
 * after builtinIsPinFree, the GPIO ISR service is installed with flags 0 and never uninstalled (other modules
 * rely on it and ESP-IDF does not count its users), and a close removes the handler and resets the pin.
 * Where this differs: the post's result is checked (gpio_irq.c undoes a failed one), and a level type is a
 * real level interrupt, masked in the ISR.
 *
 * One module per XS machine: the JavaScript functions act on the one `gModule`.
 */
#include "xsmc.h"
#include "xsHost.h"
#include "builtinCommon.h"

#include "driver/gpio.h"
#include "esp_timer.h"
#include "freertos/FreeRTOS.h"

#include "gpio_irq.h"
#include "gpio_irq_platform.h"

typedef struct {
	portMUX_TYPE mux;
	xsMachine *the;
	xsSlot onReadable;
	uint8_t hasOnReadable;
	uint8_t serviceInstalled;
} esp32_platform_t;

static esp32_platform_t gPlatform = { .mux = portMUX_INITIALIZER_UNLOCKED };
static gpio_irq_t gModule;
static uint8_t gInitialized;

int64_t GPIO_IRQ_ISR_ATTR gpio_irq_platform_now_us(void *platform)
{
	(void)platform;
	return esp_timer_get_time();
}

int GPIO_IRQ_ISR_ATTR gpio_irq_platform_get_level(void *platform, int pin)
{
	(void)platform;
	return gpio_get_level((gpio_num_t)pin);
}

static gpio_pull_mode_t pull_mode(int pull)
{
	switch (pull) {
	case GPIO_IRQ_PULL_UP: return GPIO_PULLUP_ONLY;
	case GPIO_IRQ_PULL_DOWN: return GPIO_PULLDOWN_ONLY;
	case GPIO_IRQ_PULL_UP_DOWN: return GPIO_PULLUP_PULLDOWN;
	default: return GPIO_FLOATING;
	}
}

int gpio_irq_platform_attach(void *platform, int pin, int type, int pull, void (*isr)(void *), void *line)
{
	esp32_platform_t *esp32 = platform;
	gpio_num_t gpio = (gpio_num_t)pin;
	esp_err_t err;

	if (!builtinIsPinFree(pin))
		return GPIO_IRQ_EBUSY;
	if (gpio_set_direction(gpio, GPIO_MODE_INPUT) != ESP_OK)
		return GPIO_IRQ_EINVAL;
	if (gpio_set_pull_mode(gpio, pull_mode(pull)) != ESP_OK || gpio_set_intr_type(gpio, (gpio_int_type_t)type) != ESP_OK) {
		gpio_reset_pin(gpio);
		return GPIO_IRQ_EIO;
	}
	if (!esp32->serviceInstalled) {
		/* Whoever installs first chooses the flags; ESP_ERR_INVALID_STATE means another module did. */
		err = gpio_install_isr_service(0);
		if (err != ESP_OK && err != ESP_ERR_INVALID_STATE) {
			gpio_reset_pin(gpio);
			return GPIO_IRQ_EIO;
		}
		esp32->serviceInstalled = 1;
	}
	if (gpio_isr_handler_add(gpio, isr, line) != ESP_OK) {
		gpio_reset_pin(gpio);
		return GPIO_IRQ_EIO;
	}
	builtinUsePin(pin);
	return GPIO_IRQ_OK;
}

void gpio_irq_platform_detach(void *platform, int pin)
{
	(void)platform;
	gpio_isr_handler_remove((gpio_num_t)pin);
	gpio_reset_pin((gpio_num_t)pin);
	builtinFreePin(pin);
}

int gpio_irq_platform_set_type(void *platform, int pin, int type)
{
	(void)platform;
	return gpio_set_intr_type((gpio_num_t)pin, (gpio_int_type_t)type) == ESP_OK ? GPIO_IRQ_OK : GPIO_IRQ_EIO;
}

void gpio_irq_platform_intr_enable(void *platform, int pin)
{
	(void)platform;
	gpio_intr_enable((gpio_num_t)pin);
}

void GPIO_IRQ_ISR_ATTR gpio_irq_platform_intr_disable(void *platform, int pin)
{
	(void)platform;
	gpio_intr_disable((gpio_num_t)pin);
}

void gpio_irq_platform_lock(void *platform)
{
	portENTER_CRITICAL(&((esp32_platform_t *)platform)->mux);
}

void gpio_irq_platform_unlock(void *platform)
{
	portEXIT_CRITICAL(&((esp32_platform_t *)platform)->mux);
}

void GPIO_IRQ_ISR_ATTR gpio_irq_platform_lock_from_isr(void *platform)
{
	portENTER_CRITICAL_ISR(&((esp32_platform_t *)platform)->mux);
}

void GPIO_IRQ_ISR_ATTR gpio_irq_platform_unlock_from_isr(void *platform)
{
	portEXIT_CRITICAL_ISR(&((esp32_platform_t *)platform)->mux);
}

/* On the XS task: the batch's message. The JavaScript callback reads the ring itself. */
static void deliver(void *the, void *refcon, uint8_t *message, uint16_t messageLength)
{
	esp32_platform_t *esp32 = refcon;

	(void)message;
	(void)messageLength;
	if (!esp32->hasOnReadable)
		return;
	/* The callback (hal/esp32/native-gpio.ts) catches its own errors: one escaping xsEndHost aborts the machine. */
	xsBeginHost(the);
	xsCallFunction0(esp32->onReadable, xsGlobal);
	xsEndHost(the);
}

/*
 * modMessagePostToMachineFromISR: 0 when queued, -1 when the XS task's queue (MODDEF_TASK_QUEUELENGTH
 * messages, shared with every poster) is full. Moddable releases before 2026-01-05 always return 0; there a
 * lost post is found by the JavaScript side's timer, which reads the ring while events wait in it.
 */
int GPIO_IRQ_ISR_ATTR gpio_irq_platform_post_from_isr(void *platform)
{
	esp32_platform_t *esp32 = platform;

	return esp32->the ? modMessagePostToMachineFromISR(esp32->the, deliver, esp32) : -1;
}

static gpio_irq_t *module(void)
{
	if (!gInitialized) {
		gpio_irq_init(&gModule, &gPlatform);
		gInitialized = 1;
	}
	return &gModule;
}

static void check(xsMachine *the, int result)
{
	if (result == GPIO_IRQ_EINVAL)
		xsRangeError("%s", gpio_irq_strerror(result));
	if (result < 0)
		xsUnknownError("%s", gpio_irq_strerror(result));
}

/* open(pin, type, pull) */
void xs_gpio_irq_open(xsMachine *the)
{
	check(the, gpio_irq_open(module(), xsmcToInteger(xsArg(0)), xsmcToInteger(xsArg(1)), xsmcToInteger(xsArg(2))));
}

/* close(pin) */
void xs_gpio_irq_close(xsMachine *the)
{
	check(the, gpio_irq_close(module(), xsmcToInteger(xsArg(0))));
}

/* setType(pin, type) */
void xs_gpio_irq_set_type(xsMachine *the)
{
	check(the, gpio_irq_set_type(module(), xsmcToInteger(xsArg(0)), xsmcToInteger(xsArg(1))));
}

/* mask(pin) */
void xs_gpio_irq_mask(xsMachine *the)
{
	check(the, gpio_irq_mask(module(), xsmcToInteger(xsArg(0))));
}

/* unmask(pin) */
void xs_gpio_irq_unmask(xsMachine *the)
{
	check(the, gpio_irq_unmask(module(), xsmcToInteger(xsArg(0))));
}

/* level(pin) -> 0 | 1 */
void xs_gpio_irq_level(xsMachine *the)
{
	int level = gpio_irq_level(module(), xsmcToInteger(xsArg(0)));

	check(the, level);
	xsmcSetInteger(xsResult, level);
}

/* now() -> esp_timer_get_time(), the events' clock, µs */
void xs_gpio_irq_now(xsMachine *the)
{
	xsmcSetNumber(xsResult, (double)esp_timer_get_time());
}

/* read(events: ArrayBuffer, droppedLines: ArrayBuffer) -> count: GPIO_IRQ_EVENT_WORDS words an event */
void xs_gpio_irq_read(xsMachine *the)
{
	void *events;
	void *dropped;
	xsUnsignedValue eventsBytes;
	xsUnsignedValue droppedBytes;

	xsmcGetBufferWritable(xsArg(0), &events, &eventsBytes);
	xsmcGetBufferWritable(xsArg(1), &dropped, &droppedBytes);
	if (droppedBytes < sizeof(uint32_t) * (GPIO_IRQ_MAX_PINS / 32))
		xsRangeError("droppedLines: %d bytes, want %d", (int)droppedBytes, (int)(sizeof(uint32_t) * (GPIO_IRQ_MAX_PINS / 32)));
	xsmcSetInteger(xsResult, (xsIntegerValue)gpio_irq_read(module(), events, eventsBytes / sizeof(gpio_irq_event_t), dropped));
}

/* counters(out: ArrayBuffer): GPIO_IRQ_COUNTERS words */
void xs_gpio_irq_counters(xsMachine *the)
{
	void *out;
	xsUnsignedValue bytes;

	xsmcGetBufferWritable(xsArg(0), &out, &bytes);
	if (bytes < sizeof(uint32_t) * GPIO_IRQ_COUNTERS)
		xsRangeError("counters: %d bytes, want %d", (int)bytes, (int)(sizeof(uint32_t) * GPIO_IRQ_COUNTERS));
	gpio_irq_counters(module(), out);
}

/* lineCounters(pin, out: ArrayBuffer): GPIO_IRQ_LINE_COUNTERS words */
void xs_gpio_irq_line_counters(xsMachine *the)
{
	void *out;
	xsUnsignedValue bytes;

	xsmcGetBufferWritable(xsArg(1), &out, &bytes);
	if (bytes < sizeof(uint32_t) * GPIO_IRQ_LINE_COUNTERS)
		xsRangeError("lineCounters: %d bytes, want %d", (int)bytes, (int)(sizeof(uint32_t) * GPIO_IRQ_LINE_COUNTERS));
	check(the, gpio_irq_line_counters(module(), xsmcToInteger(xsArg(0)), out));
}

/* onReadable(callback | undefined): the function each batch's message calls, kept alive as a GC root. */
void xs_gpio_irq_on_readable(xsMachine *the)
{
	esp32_platform_t *esp32 = &gPlatform;

	module();
	if (esp32->hasOnReadable) {
		esp32->hasOnReadable = 0;
		xsForget(esp32->onReadable);
	}
	if (xsmcIsCallable(xsArg(0))) {
		esp32->onReadable = xsArg(0);
		xsRemember(esp32->onReadable);
		esp32->hasOnReadable = 1;
		esp32->the = the;
	}
}
