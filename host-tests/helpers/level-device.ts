/*
 * A level-triggered device on a line of the fake chip (host-tests/helpers/fake-chip.ts), for tests of the
 * simulator's stall guard and CPU cost: the device asserts its line until somebody clears it.
 */
import { handleLevelIrq, type IrqCore } from '../../firmware/irq';
import type { Simulator } from '../../hal/mock/sim';
import { fakeChip } from './fake-chip';

/** A level-triggered device on a line of the fake chip: it asserts the line until somebody clears it. */
export interface LevelDevice {
  readonly irq: number;
  asserted: boolean;
  /** The device asserts its line (a new event of its own). */
  raise(): void;
}

/**
 * The line's controller delivers the interrupt, in a job of its own, whenever the line is open (started,
 * enabled or unmasked) while the device asserts it; the level flow masks it, and the end of the oneshot thread
 * unmasks it again. So a device nobody clears fires again after every thread run, at the same instant.
 */
export function levelDevice(sim: Simulator, core: IrqCore): LevelDevice {
  const chip = fakeChip({ name: 'gpio' });
  const irq = core.irqAllocDesc();
  let open = false;
  const deliver = (): void => {
    if (open && device.asserted) core.genericHandleIrq(irq);
  };
  for (const op of ['irqStartup', 'irqEnable', 'irqUnmask'] as const) {
    const inner = chip[op]!;
    chip[op] = (data) => {
      inner(data);
      open = true;
      sim.defer(deliver);
    };
  }
  const mask = chip.irqMask!;
  chip.irqMask = (data) => {
    mask(data);
    open = false;
  };
  core.irqSetChipAndHandler(irq, chip, handleLevelIrq);
  const device: LevelDevice = {
    irq,
    asserted: false,
    raise: () => {
      device.asserted = true;
      if (open) sim.defer(deliver);
    },
  };
  return device;
}
