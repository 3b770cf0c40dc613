/*
 * genirq's native GPIO interrupt module: the ISR, the event ring and the task's calls (gpio_irq.h says what
 * and why). Everything the ISR and the task share is read and written under the platform's spinlock.
 */
#include "gpio_irq.h"
#include "gpio_irq_platform.h"

#include <string.h>

static int valid_pin(int pin)
{
	return pin >= 0 && pin < GPIO_IRQ_MAX_PINS;
}

static int GPIO_IRQ_ISR_ATTR level_type(int type)
{
	return type == GPIO_IRQ_TYPE_LEVEL_LOW || type == GPIO_IRQ_TYPE_LEVEL_HIGH;
}

static int valid_type(int type)
{
	return type >= GPIO_IRQ_TYPE_EDGE_RISING && type <= GPIO_IRQ_TYPE_LEVEL_HIGH;
}

void gpio_irq_init(gpio_irq_t *irq, void *platform)
{
	int pin;

	memset(irq, 0, sizeof(*irq));
	irq->platform = platform;
	for (pin = 0; pin < GPIO_IRQ_MAX_PINS; pin++) {
		irq->lines[pin].owner = irq;
		irq->lines[pin].pin = (uint8_t)pin;
	}
}

/* The event an interrupt of this type at this level is: which edge, or which level. */
static uint32_t GPIO_IRQ_ISR_ATTR event_id(int type, int level)
{
	switch (type) {
	case GPIO_IRQ_TYPE_EDGE_RISING: return GPIO_IRQ_EVENT_RISING;
	case GPIO_IRQ_TYPE_EDGE_FALLING: return GPIO_IRQ_EVENT_FALLING;
	case GPIO_IRQ_TYPE_LEVEL_LOW: return GPIO_IRQ_EVENT_LEVEL_LOW;
	case GPIO_IRQ_TYPE_LEVEL_HIGH: return GPIO_IRQ_EVENT_LEVEL_HIGH;
	/*
	 * Both edges: the level read in the ISR says which. As in gpiolib-cdev's edge_irq_thread, a pulse shorter
	 * than the ISR's latency reads as the later edge.
	 */
	default: return level ? GPIO_IRQ_EVENT_RISING : GPIO_IRQ_EVENT_FALLING;
	}
}

/* Under the lock: one event into the ring, the oldest dropped (and counted against its line) when full. */
static void GPIO_IRQ_ISR_ATTR push_event(gpio_irq_t *irq, gpio_irq_line_t *line, int64_t time_us, int level)
{
	gpio_irq_event_t *event;

	if (irq->head - irq->tail == GPIO_IRQ_RING_SIZE) {
		uint32_t victim = irq->ring[irq->tail & GPIO_IRQ_RING_MASK].info & 0xFFu;

		irq->tail++;
		irq->lines[victim].dropped++;
		irq->dropped++;
		irq->dropped_lines[victim >> 5] |= 1u << (victim & 31u);
	}
	event = &irq->ring[irq->head & GPIO_IRQ_RING_MASK];
	event->time_lo = (uint32_t)time_us;
	event->time_hi = (uint32_t)((uint64_t)time_us >> 32);
	event->seqno = ++irq->seqno;
	event->line_seqno = ++line->line_seqno;
	event->info = line->pin | event_id(line->type, level) << 8 | (uint32_t)level << 16;
	irq->head++;
}

/*
 * The pin's handler, in ESP-IDF's gpio_isr_loop: an edge type's status bit was cleared before this runs, a
 * level type's is cleared after, so a level line left enabled here would enter again at once.
 */
void GPIO_IRQ_ISR_ATTR gpio_irq_isr(void *arg)
{
	gpio_irq_line_t *line = arg;
	gpio_irq_t *irq = line->owner;
	void *platform = irq->platform;
	int64_t time_us = gpio_irq_platform_now_us(platform);
	int level = gpio_irq_platform_get_level(platform, line->pin);
	int post = 0;

	gpio_irq_platform_lock_from_isr(platform);
	if (line->open) {
		/* The hardirq's mask-and-ack, where the interrupt is: a level line until it is served, a masked line. */
		if (line->masked || level_type(line->type)) {
			gpio_irq_platform_intr_disable(platform, line->pin);
			line->hw_masked = 1;
			line->isr_masks++;
		}
		push_event(irq, line, time_us, level);
		if (!irq->post_pending) {
			irq->post_pending = 1;
			post = 1;
		}
	}
	gpio_irq_platform_unlock_from_isr(platform);

	/*
	 * Outside the lock: the post takes the message queue's own. A failed post (the queue is full) is undone, so
	 * the next interrupt posts again, where Moddable's digitalbank.c leaves its `triggered` mask set and its
	 * bank silent for good; the JavaScript side also reads the ring on a timer while posts have failed.
	 */
	if (post && gpio_irq_platform_post_from_isr(platform) != 0) {
		gpio_irq_platform_lock_from_isr(platform);
		irq->post_pending = 0;
		irq->post_failures++;
		gpio_irq_platform_unlock_from_isr(platform);
	}
	else if (post) {
		gpio_irq_platform_lock_from_isr(platform);
		irq->posts++;
		gpio_irq_platform_unlock_from_isr(platform);
	}
}

int gpio_irq_open(gpio_irq_t *irq, int pin, int type, int pull)
{
	gpio_irq_line_t *line;
	int result;

	if (!valid_pin(pin) || !valid_type(type) || pull < GPIO_IRQ_PULL_NONE || pull > GPIO_IRQ_PULL_UP_DOWN)
		return GPIO_IRQ_EINVAL;
	line = &irq->lines[pin];
	if (line->open)
		return GPIO_IRQ_EBUSY;

	/* Open before the handler is added, which enables the interrupt: its first ISR must find the line open. */
	gpio_irq_platform_lock(irq->platform);
	line->type = (uint8_t)type;
	line->masked = 0;
	line->hw_masked = 0;
	line->open = 1;
	gpio_irq_platform_unlock(irq->platform);

	result = gpio_irq_platform_attach(irq->platform, pin, type, pull, gpio_irq_isr, line);
	if (result != GPIO_IRQ_OK) {
		gpio_irq_platform_lock(irq->platform);
		line->open = 0;
		gpio_irq_platform_unlock(irq->platform);
	}
	return result;
}

/*
 * Under the lock: a closing line's events leave the ring, the others keep their order. Left there, they would
 * reach the line's next open if it came before the read (a request's handler given an interrupt from before it).
 */
static void purge_line(gpio_irq_t *irq, uint32_t pin)
{
	uint32_t from;
	uint32_t to = irq->tail;

	for (from = irq->tail; from != irq->head; from++) {
		const gpio_irq_event_t *event = &irq->ring[from & GPIO_IRQ_RING_MASK];

		if ((event->info & 0xFFu) == pin)
			continue;
		if (to != from)
			irq->ring[to & GPIO_IRQ_RING_MASK] = *event;
		to++;
	}
	irq->head = to;
}

/*
 * Closes the line. Its events still in the ring go with it (purge_line), and its counters start again at the
 * next open, as a Linux line request's do.
 */
int gpio_irq_close(gpio_irq_t *irq, int pin)
{
	gpio_irq_line_t *line;

	if (!valid_pin(pin) || !irq->lines[pin].open)
		return GPIO_IRQ_EINVAL;
	line = &irq->lines[pin];
	/* Closed first: an ISR already running on the other core finds it so (handler removal does not wait). */
	gpio_irq_platform_lock(irq->platform);
	line->open = 0;
	line->line_seqno = 0;
	line->dropped = 0;
	line->isr_masks = 0;
	irq->dropped_lines[pin >> 5] &= ~(1u << (pin & 31));
	purge_line(irq, (uint32_t)pin);
	gpio_irq_platform_unlock(irq->platform);
	gpio_irq_platform_detach(irq->platform, pin);
	return GPIO_IRQ_OK;
}

/*
 * A new trigger type, as irq_set_type does: the pin's interrupt is disabled while it changes (ESP-IDF's
 * gpio_set_intr_type would otherwise latch on the old type), then enabled again unless the line is masked.
 */
int gpio_irq_set_type(gpio_irq_t *irq, int pin, int type)
{
	gpio_irq_line_t *line;
	int result;

	if (!valid_pin(pin) || !irq->lines[pin].open || !valid_type(type))
		return GPIO_IRQ_EINVAL;
	line = &irq->lines[pin];
	gpio_irq_platform_lock(irq->platform);
	gpio_irq_platform_intr_disable(irq->platform, pin);
	result = gpio_irq_platform_set_type(irq->platform, pin, type);
	if (result == GPIO_IRQ_OK)
		line->type = (uint8_t)type;
	if (line->masked)
		line->hw_masked = 1;
	else {
		line->hw_masked = 0;
		gpio_irq_platform_intr_enable(irq->platform, pin);
	}
	gpio_irq_platform_unlock(irq->platform);
	return result;
}

/*
 * Masks the line lazily, as the kernel's disable_irq does by default: only a flag; the ISR disables the pin's
 * interrupt at its next interrupt, which it still reports (the flow marks it pending and replays it once at
 * unmask). A level line is disabled by its ISR anyway.
 */
int gpio_irq_mask(gpio_irq_t *irq, int pin)
{
	if (!valid_pin(pin) || !irq->lines[pin].open)
		return GPIO_IRQ_EINVAL;
	gpio_irq_platform_lock(irq->platform);
	irq->lines[pin].masked = 1;
	gpio_irq_platform_unlock(irq->platform);
	return GPIO_IRQ_OK;
}

/*
 * Unmasks the line, enabling the pin's interrupt if the ISR disabled it. gpio_intr_enable clears the status bit
 * first, so an edge while masked does not enter (the one that found the line masked was reported); a level
 * still asserted enters at once, which is a real level trigger.
 */
int gpio_irq_unmask(gpio_irq_t *irq, int pin)
{
	gpio_irq_line_t *line;

	if (!valid_pin(pin) || !irq->lines[pin].open)
		return GPIO_IRQ_EINVAL;
	line = &irq->lines[pin];
	gpio_irq_platform_lock(irq->platform);
	line->masked = 0;
	if (line->hw_masked) {
		line->hw_masked = 0;
		gpio_irq_platform_intr_enable(irq->platform, pin);
	}
	gpio_irq_platform_unlock(irq->platform);
	return GPIO_IRQ_OK;
}

int gpio_irq_level(gpio_irq_t *irq, int pin)
{
	if (!valid_pin(pin) || !irq->lines[pin].open)
		return GPIO_IRQ_EINVAL;
	return gpio_irq_platform_get_level(irq->platform, pin);
}

uint32_t gpio_irq_read(gpio_irq_t *irq, gpio_irq_event_t *out, uint32_t max, uint32_t dropped_lines[GPIO_IRQ_MAX_PINS / 32])
{
	uint32_t count = 0;
	uint32_t word;

	gpio_irq_platform_lock(irq->platform);
	while (count < max && irq->tail != irq->head) {
		const gpio_irq_event_t *event = &irq->ring[irq->tail & GPIO_IRQ_RING_MASK];

		irq->tail++;
		if (irq->lines[event->info & 0xFFu].open)
			out[count++] = *event;
	}
	/* Only once the ring is empty: with events left, the post that brought this read still stands for them. */
	if (irq->tail == irq->head)
		irq->post_pending = 0;
	for (word = 0; word < GPIO_IRQ_MAX_PINS / 32; word++) {
		dropped_lines[word] = irq->dropped_lines[word];
		irq->dropped_lines[word] = 0;
	}
	gpio_irq_platform_unlock(irq->platform);
	return count;
}

static uint32_t count_bits(uint32_t word)
{
	uint32_t n = 0;

	for (; word != 0; word &= word - 1)
		n++;
	return n;
}

void gpio_irq_counters(gpio_irq_t *irq, uint32_t out[GPIO_IRQ_COUNTERS])
{
	uint32_t word;
	uint32_t lines = 0;

	gpio_irq_platform_lock(irq->platform);
	for (word = 0; word < GPIO_IRQ_MAX_PINS / 32; word++)
		lines += count_bits(irq->dropped_lines[word]);
	out[GPIO_IRQ_COUNTER_DROPPED_LINES] = lines;
	out[GPIO_IRQ_COUNTER_SEQNO] = irq->seqno;
	out[GPIO_IRQ_COUNTER_POSTS] = irq->posts;
	out[GPIO_IRQ_COUNTER_POST_FAILURES] = irq->post_failures;
	out[GPIO_IRQ_COUNTER_DROPPED] = irq->dropped;
	out[GPIO_IRQ_COUNTER_QUEUED] = irq->head - irq->tail;
	gpio_irq_platform_unlock(irq->platform);
}

int gpio_irq_line_counters(gpio_irq_t *irq, int pin, uint32_t out[GPIO_IRQ_LINE_COUNTERS])
{
	gpio_irq_line_t *line;

	if (!valid_pin(pin) || !irq->lines[pin].open)
		return GPIO_IRQ_EINVAL;
	line = &irq->lines[pin];
	gpio_irq_platform_lock(irq->platform);
	out[GPIO_IRQ_LINE_SEQNO] = line->line_seqno;
	out[GPIO_IRQ_LINE_DROPPED] = line->dropped;
	out[GPIO_IRQ_LINE_ISR_MASKS] = line->isr_masks;
	gpio_irq_platform_unlock(irq->platform);
	return GPIO_IRQ_OK;
}

const char *gpio_irq_strerror(int error)
{
	switch (error) {
	case GPIO_IRQ_OK: return "no error";
	case GPIO_IRQ_EIO: return "the GPIO driver refused";
	case GPIO_IRQ_EBUSY: return "pin in use";
	case GPIO_IRQ_EINVAL: return "invalid pin, type or pull, or the line is not open";
	default: return "unknown error";
	}
}
