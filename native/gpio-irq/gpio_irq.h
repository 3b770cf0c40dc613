/*
 * genirq's native GPIO interrupt module: the part that runs in the GPIO ISR and the part the JavaScript thread
 * calls, free of any platform header. The ISR takes each interrupt's time and level, counts it, masks the pin
 * when the line is level-type or masked (the hardirq's mask-and-ack, done where the interrupt is), and pushes
 * one event into a power-of-two ring with one producer; it posts to the JavaScript thread at most once per
 * batch, and a failed post is undone so the next interrupt posts again.
 *
 * The platform (ESP-IDF, FreeRTOS, Moddable's host calls) is reached only through gpio_irq_platform.h:
 * gpio_irq_esp32.c on the board, host/gpio_irq_host.c on the host, where the simulated ESP32 GPIO peripheral
 * drives it.
 *
 * Events follow Linux's GPIO character device (struct gpio_v2_line_event, include/uapi/linux/gpio.h): an id
 * (rising or falling edge; levels are ours), a seqno across all lines of this module and a line_seqno per
 * line, both starting at 1 and counting every event made, dropped ones included, so a reader sees a drop as a
 * gap. A full ring drops its oldest event, as gpiolib-cdev's linereq_put_event does (kfifo_skip), and counts
 * the drop against the line whose event it was.
 */
#ifndef GPIO_IRQ_H
#define GPIO_IRQ_H

#include <stdint.h>

/* GPIO numbers 0..63: the ESP32 family's largest (ESP32-P4) has 55. */
#define GPIO_IRQ_MAX_PINS 64

#ifndef GPIO_IRQ_RING_ORDER
#define GPIO_IRQ_RING_ORDER 6
#endif
#define GPIO_IRQ_RING_SIZE (1u << GPIO_IRQ_RING_ORDER)
#define GPIO_IRQ_RING_MASK (GPIO_IRQ_RING_SIZE - 1u)

/* Trigger types: gpio_int_type_t's values (ESP-IDF hal/gpio_types.h). */
enum {
	GPIO_IRQ_TYPE_NONE = 0,
	GPIO_IRQ_TYPE_EDGE_RISING = 1,
	GPIO_IRQ_TYPE_EDGE_FALLING = 2,
	GPIO_IRQ_TYPE_EDGE_BOTH = 3,
	GPIO_IRQ_TYPE_LEVEL_LOW = 4,
	GPIO_IRQ_TYPE_LEVEL_HIGH = 5,
};

/* Pulls: gpio_pull_mode_t's meaning, numbered as ECMA-419's DigitalBank modes (Input, InputPullUp, ...). */
enum {
	GPIO_IRQ_PULL_NONE = 0,
	GPIO_IRQ_PULL_UP = 1,
	GPIO_IRQ_PULL_DOWN = 2,
	GPIO_IRQ_PULL_UP_DOWN = 3,
};

/* Event ids: GPIO_V2_LINE_EVENT_RISING_EDGE and _FALLING_EDGE, then the two levels, which Linux has not. */
enum {
	GPIO_IRQ_EVENT_RISING = 1,
	GPIO_IRQ_EVENT_FALLING = 2,
	GPIO_IRQ_EVENT_LEVEL_HIGH = 3,
	GPIO_IRQ_EVENT_LEVEL_LOW = 4,
};

/* Errors, as negative errno values (the JavaScript side names them). */
enum {
	GPIO_IRQ_OK = 0,
	GPIO_IRQ_EIO = -5,      /* the platform refused (an esp_err_t other than ESP_OK) */
	GPIO_IRQ_EBUSY = -16,   /* the pin is in use: open here, or claimed by another IO */
	GPIO_IRQ_EINVAL = -22,  /* no such pin, type or pull, or the line is not open */
};

/*
 * One event, five 32-bit words so JavaScript reads it through a Uint32Array: the time in microseconds
 * (esp_timer_get_time) split in two, the sequence numbers, and `info` = pin | id << 8 | level << 16.
 */
typedef struct {
	uint32_t time_lo;
	uint32_t time_hi;
	uint32_t seqno;
	uint32_t line_seqno;
	uint32_t info;
} gpio_irq_event_t;

#define GPIO_IRQ_EVENT_WORDS 5

typedef struct gpio_irq gpio_irq_t;

/* A line: one pin's interrupt. The ISR's argument, so it finds its module without a search. */
typedef struct {
	gpio_irq_t *owner;
	uint8_t pin;
	uint8_t open;
	uint8_t type;
	uint8_t masked;      /* JavaScript masked the line: the ISR masks the pin at its next interrupt (lazy) */
	uint8_t hw_masked;   /* the pin's interrupt is disabled in the hardware */
	uint32_t line_seqno; /* events made on this line, dropped ones included */
	uint32_t dropped;    /* events of this line the full ring dropped */
	uint32_t isr_masks;  /* times the ISR disabled the pin's interrupt */
} gpio_irq_line_t;

struct gpio_irq {
	void *platform;
	uint32_t head;          /* ring: written by the ISR, free-running */
	uint32_t tail;          /* read by the task, free-running */
	uint32_t seqno;
	uint32_t post_pending;  /* a post is on its way: the ISR posts no more until the task reads */
	uint32_t posts;
	uint32_t post_failures;
	uint32_t dropped;
	uint32_t dropped_lines[GPIO_IRQ_MAX_PINS / 32]; /* lines with drops the task has not read yet */
	gpio_irq_event_t ring[GPIO_IRQ_RING_SIZE];
	gpio_irq_line_t lines[GPIO_IRQ_MAX_PINS];
};

/* Module-wide counters, in the order gpio_irq_counters writes them. */
enum {
	GPIO_IRQ_COUNTER_SEQNO = 0,
	GPIO_IRQ_COUNTER_POSTS,
	GPIO_IRQ_COUNTER_POST_FAILURES,
	GPIO_IRQ_COUNTER_DROPPED,
	GPIO_IRQ_COUNTER_QUEUED,
	GPIO_IRQ_COUNTER_DROPPED_LINES, /* lines whose drops wait for a read (a read is owed even with no event queued) */
	GPIO_IRQ_COUNTERS,
};

/* A line's counters, in the order gpio_irq_line_counters writes them. */
enum {
	GPIO_IRQ_LINE_SEQNO = 0,
	GPIO_IRQ_LINE_DROPPED,
	GPIO_IRQ_LINE_ISR_MASKS,
	GPIO_IRQ_LINE_COUNTERS,
};

void gpio_irq_init(gpio_irq_t *irq, void *platform);

/* The task's calls. Each returns GPIO_IRQ_OK or a negative error. */
int gpio_irq_open(gpio_irq_t *irq, int pin, int type, int pull);
int gpio_irq_close(gpio_irq_t *irq, int pin);
int gpio_irq_set_type(gpio_irq_t *irq, int pin, int type);
int gpio_irq_mask(gpio_irq_t *irq, int pin);
int gpio_irq_unmask(gpio_irq_t *irq, int pin);
/* The pin's level (0 or 1), or a negative error. */
int gpio_irq_level(gpio_irq_t *irq, int pin);

/*
 * Moves up to `max` queued events, oldest first, to `out` and returns how many. Once the ring is empty the
 * next interrupt posts again. `dropped_lines` (two words) receives the lines with drops since the last read.
 */
uint32_t gpio_irq_read(gpio_irq_t *irq, gpio_irq_event_t *out, uint32_t max, uint32_t dropped_lines[GPIO_IRQ_MAX_PINS / 32]);

/* Counters: `out` receives GPIO_IRQ_COUNTERS (or GPIO_IRQ_LINE_COUNTERS) words. */
void gpio_irq_counters(gpio_irq_t *irq, uint32_t out[GPIO_IRQ_COUNTERS]);
int gpio_irq_line_counters(gpio_irq_t *irq, int pin, uint32_t out[GPIO_IRQ_LINE_COUNTERS]);

/* The per-pin ISR (gpio_isr_t): its argument is the line. */
void gpio_irq_isr(void *line);

const char *gpio_irq_strerror(int error);

#endif
