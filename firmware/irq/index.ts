/** The genirq core's public API. */
export * from './constants';
export { IrqError, type IrqErrorCode } from './error';
export type { IrqChip, IrqData, IrqDomainOps, IrqLostEvents, IrqFlowHandler, IrqHandler, IrqLog, IrqThreadFn, LogLevel, Platform, PlatformDeferred } from './types';
export { IrqCore, type IrqCoreOptions } from './core';
export type { IrqDesc, IrqDescInfo } from './desc';
export { IrqLine } from './line';
export {
  IRQ_LINE_EVENT_FALLING_EDGE, IRQ_LINE_EVENT_LEVEL_HIGH, IRQ_LINE_EVENT_LEVEL_LOW, IRQ_LINE_EVENT_RISING_EDGE,
  IRQ_LINE_EVENTS_DEFAULT, IRQ_LINE_EVENTS_MAX, IrqLineEventBuffer, IrqLineEvents,
} from './line-event';
export { IRQ_DEBOUNCE_MAX_US } from './manage';
export type { IrqRunnerInfo, IrqSpuriousInfo } from './view';
export { IrqDomain } from './domain';
export { IRQ_THREAD_DEFAULT_PRIORITY, type IrqThreadInfo, type IrqThreadState } from './thread';
export { irqDefaultPrimaryHandler } from './handle';
export { SPURIOUS_LIMIT, SPURIOUS_WINDOW } from './spurious';
export { IRQ_STORM_DEFAULT, type IrqStormOptions } from './storm';
export { IRQ_WATCHDOG_DEFAULT, type IrqWatchdogOptions } from './watchdog';
export type {
  IrqCoreEvent, IrqCoreEventKind, IrqEventListener, IrqFreeAbandonEvent, IrqFreeDropEvent, IrqSpuriousDisableEvent, IrqStormPollEvent,
  IrqStormResumeEvent, IrqStormUnpolledEvent, IrqThreadDisableEvent, IrqWatchdogStuckEvent,
} from './events';
export { IRQ_TRACE, type ChromeTrace, type ChromeTraceEvent, type IrqTraceEvent, type IrqTraceKind } from './trace';
export type { IrqLatencyInfo, LatencySummary } from './stats';
export {
  chainedIrqEnter, chainedIrqExit, irqDataGetChipData, irqDescGetChip, irqDescGetHandlerData, irqSetHandlerLocked,
} from './chip';
export {
  handleBadIrq, handleEdgeIrq, handleFasteoiIrq, handleLevelIrq, handleSimpleIrq, handleUntrackedIrq,
} from './flow';
