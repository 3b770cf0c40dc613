/*
 * The host twin of gpio_irq_esp32.c: gpio_irq_platform.h over the simulation. Each call goes to a JavaScript
 * function (registered once through koffi by hal/mock/native/gpio-irq-host.ts) with the number of the simulated
 * board it is for; there the calls reach ESP-IDF's GPIO driver twin (hal/mock/esp-idf/gpio.ts) on the board's
 * GPIO peripheral, the simulator's clock and its XS message queue. The handler ESP-IDF would call from
 * gpio_isr_loop is kept here, per pin, and the driver twin calls it through gpio_irq_host_isr.
 *
 * The spinlock: one JavaScript thread runs the task and the simulated ISR one after the other, never one inside
 * the other, so the lock cannot be contended. What the twin checks instead is that it is used as the board needs
 * it: never taken twice, never released when not held, the ISR's form only in the ISR and the task's only
 * outside it. A misuse is counted (gpio_irq_host_lock_errors), and the tests require none.
 */
#include "../gpio_irq.h"
#include "../gpio_irq_platform.h"

#include <stdlib.h>

typedef struct {
	double (*now_us)(int board);
	int (*get_level)(int board, int pin);
	int (*attach)(int board, int pin, int type, int pull);
	void (*detach)(int board, int pin);
	int (*set_type)(int board, int pin, int type);
	void (*intr_enable)(int board, int pin);
	void (*intr_disable)(int board, int pin);
	int (*post)(int board);
} gpio_irq_host_ops_t;

typedef struct {
	int board;
	int in_isr;
	int locked;
	uint32_t lock_errors;
	void (*isr[GPIO_IRQ_MAX_PINS])(void *);
	void *isr_arg[GPIO_IRQ_MAX_PINS];
} host_platform_t;

typedef struct {
	gpio_irq_t irq;
	host_platform_t platform;
} gpio_irq_host_t;

static gpio_irq_host_ops_t ops;

void gpio_irq_host_set_ops(const gpio_irq_host_ops_t *functions)
{
	ops = *functions;
}

gpio_irq_host_t *gpio_irq_host_new(int board)
{
	gpio_irq_host_t *host = calloc(1, sizeof(gpio_irq_host_t));

	if (host) {
		host->platform.board = board;
		gpio_irq_init(&host->irq, &host->platform);
	}
	return host;
}

void gpio_irq_host_free(gpio_irq_host_t *host)
{
	free(host);
}

gpio_irq_t *gpio_irq_host_module(gpio_irq_host_t *host)
{
	return &host->irq;
}

/* What gpio_isr_loop does for a pin whose status bit is set: call the handler added for it, if any. */
void gpio_irq_host_isr(gpio_irq_host_t *host, int pin)
{
	host_platform_t *platform = &host->platform;

	if (pin < 0 || pin >= GPIO_IRQ_MAX_PINS || !platform->isr[pin])
		return;
	platform->in_isr = 1;
	platform->isr[pin](platform->isr_arg[pin]);
	platform->in_isr = 0;
}

uint32_t gpio_irq_host_lock_errors(gpio_irq_host_t *host)
{
	return host->platform.lock_errors + (uint32_t)host->platform.locked;
}

int64_t gpio_irq_platform_now_us(void *platform)
{
	return (int64_t)ops.now_us(((host_platform_t *)platform)->board);
}

int gpio_irq_platform_get_level(void *platform, int pin)
{
	return ops.get_level(((host_platform_t *)platform)->board, pin);
}

int gpio_irq_platform_attach(void *platform, int pin, int type, int pull, void (*isr)(void *), void *line)
{
	host_platform_t *host = platform;
	int result;

	host->isr[pin] = isr;
	host->isr_arg[pin] = line;
	result = ops.attach(host->board, pin, type, pull);
	if (result != GPIO_IRQ_OK)
		host->isr[pin] = NULL;
	return result;
}

void gpio_irq_platform_detach(void *platform, int pin)
{
	host_platform_t *host = platform;

	ops.detach(host->board, pin);
	host->isr[pin] = NULL;
}

int gpio_irq_platform_set_type(void *platform, int pin, int type)
{
	return ops.set_type(((host_platform_t *)platform)->board, pin, type);
}

void gpio_irq_platform_intr_enable(void *platform, int pin)
{
	ops.intr_enable(((host_platform_t *)platform)->board, pin);
}

void gpio_irq_platform_intr_disable(void *platform, int pin)
{
	ops.intr_disable(((host_platform_t *)platform)->board, pin);
}

static void take(host_platform_t *host, int from_isr)
{
	if (host->locked || host->in_isr != from_isr)
		host->lock_errors++;
	host->locked = 1;
}

static void give(host_platform_t *host, int from_isr)
{
	if (!host->locked || host->in_isr != from_isr)
		host->lock_errors++;
	host->locked = 0;
}

void gpio_irq_platform_lock(void *platform)
{
	take(platform, 0);
}

void gpio_irq_platform_unlock(void *platform)
{
	give(platform, 0);
}

void gpio_irq_platform_lock_from_isr(void *platform)
{
	take(platform, 1);
}

void gpio_irq_platform_unlock_from_isr(void *platform)
{
	give(platform, 1);
}

int gpio_irq_platform_post_from_isr(void *platform)
{
	return ops.post(((host_platform_t *)platform)->board);
}
