/*
 * Imported before every other module by the XS lane's "board drain" variant: removes xsnap's setImmediate, so
 * the simulator (hal/mock/sim.ts, which looks for it when it loads) drains promise jobs between events with a
 * bounded number of awaits, as it must on the board where Moddable's XS has no setImmediate.
 */
delete (globalThis as { setImmediate?: unknown }).setImmediate;
