/*
 * Flag, return and type constants, with the values of include/linux/interrupt.h and include/linux/irq.h
 * so a driver ported from Linux keeps its numbers.
 */

// request_irq() flags
export const IRQF_TRIGGER_NONE = 0x00000000;
export const IRQF_TRIGGER_RISING = 0x00000001;
export const IRQF_TRIGGER_FALLING = 0x00000002;
export const IRQF_TRIGGER_HIGH = 0x00000004;
export const IRQF_TRIGGER_LOW = 0x00000008;
export const IRQF_TRIGGER_MASK = IRQF_TRIGGER_HIGH | IRQF_TRIGGER_LOW | IRQF_TRIGGER_RISING | IRQF_TRIGGER_FALLING;
export const IRQF_SHARED = 0x00000080;
export const IRQF_ONESHOT = 0x00002000;
export const IRQF_NO_THREAD = 0x00010000;
export const IRQF_NO_AUTOEN = 0x00080000;
/** Every flag this implementation understands; anything else is rejected with EINVAL. */
export const IRQF_VALID_MASK = IRQF_TRIGGER_MASK | IRQF_SHARED | IRQF_ONESHOT | IRQF_NO_THREAD | IRQF_NO_AUTOEN;

// irqreturn_t
export const IRQ_NONE = 0;
export const IRQ_HANDLED = 1;
export const IRQ_WAKE_THREAD = 2;
/** irqreturn_t: one of the three values above. A plain number so `() => IRQ_HANDLED` type-checks as a handler. */
export type IrqReturn = number;

// Trigger types (irq_set_irq_type)
export const IRQ_TYPE_NONE = 0;
export const IRQ_TYPE_EDGE_RISING = 1;
export const IRQ_TYPE_EDGE_FALLING = 2;
export const IRQ_TYPE_EDGE_BOTH = IRQ_TYPE_EDGE_RISING | IRQ_TYPE_EDGE_FALLING;
export const IRQ_TYPE_LEVEL_HIGH = 4;
export const IRQ_TYPE_LEVEL_LOW = 8;
export const IRQ_TYPE_LEVEL_MASK = IRQ_TYPE_LEVEL_HIGH | IRQ_TYPE_LEVEL_LOW;
export const IRQ_TYPE_SENSE_MASK = 0x0000000f;

// irq_chip flags
export const IRQCHIP_SET_TYPE_MASKED = 1 << 0;
export const IRQCHIP_EOI_IF_HANDLED = 1 << 1;
export const IRQCHIP_MASK_ON_SUSPEND = 1 << 2;
export const IRQCHIP_ONESHOT_SAFE = 1 << 5;
export const IRQCHIP_SKIP_SET_WAKE = 1 << 4;
export const IRQCHIP_EOI_THREADED = 1 << 6;

/** Names for the trigger bits, for tables and messages. */
export function triggerName(type: number): string {
  switch (type & IRQ_TYPE_SENSE_MASK) {
    case IRQ_TYPE_NONE: return 'none';
    case IRQ_TYPE_EDGE_RISING: return 'edge-rising';
    case IRQ_TYPE_EDGE_FALLING: return 'edge-falling';
    case IRQ_TYPE_EDGE_BOTH: return 'edge-both';
    case IRQ_TYPE_LEVEL_HIGH: return 'level-high';
    case IRQ_TYPE_LEVEL_LOW: return 'level-low';
    default: return `invalid(0x${type.toString(16)})`;
  }
}
