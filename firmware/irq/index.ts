/** The genirq core's public API. */
export * from './constants';
export { IrqError, type IrqErrorCode } from './error';
export type { IrqChip, IrqData, IrqDomainOps, IrqFlowHandler, IrqHandler, IrqLog, IrqThreadFn, LogLevel, Platform } from './types';
export { IrqCore, type IrqCoreOptions } from './core';
export type { IrqDesc, IrqDescInfo } from './desc';
export { IrqDomain } from './domain';
export { IRQ_THREAD_DEFAULT_PRIORITY, type IrqThreadInfo, type IrqThreadState } from './thread';
export { irqDefaultPrimaryHandler } from './manage';
export { SPURIOUS_LIMIT, SPURIOUS_WINDOW } from './spurious';
export {
  chainedIrqEnter, chainedIrqExit, handleBadIrq, handleEdgeIrq, handleFasteoiIrq, handleLevelIrq, handleSimpleIrq,
  handleUntrackedIrq, irqDataGetChipData, irqDescGetChip, irqDescGetHandlerData, irqSetHandlerLocked,
} from './chip';
