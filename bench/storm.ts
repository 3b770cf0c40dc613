/*
 * A victim line beside an interrupt storm, on the simulated board in virtual time (the same figures on every
 * machine). A pulse generator fires a pin every 20 µs; its primary handler (10 µs of CPU, `sim.spend`) wakes
 * a priority-60 thread that takes 100 µs per run, so without storm handling the storm line would take all the
 * CPU it can get (receive livelock: Mogul and Ramakrishnan, "Eliminating Receive Livelock in an Interrupt-Driven Kernel", 1997). The victim, a priority-50 thread on another pin, does 2 ms of
 * work in ten 200 µs slices per edge, yielding between them. Measured: the victim's edge to thread start
 * and edge to end of its work, and the share of the CPU the storm took.
 */
import { IRQ_HANDLED, IRQ_WAKE_THREAD, IRQF_TRIGGER_RISING } from '../firmware/irq';
import { bootSimBoard } from '../hal/mock/boot';
import { PulseGenerator } from '../hal/mock/devices';

export type StormCase = 'no storm' | 'storm, polled when over budget' | 'storm, storm handling off';

export interface StormFigures {
  case: StormCase;
  edges: number;
  /** Victim runs that finished their work (one per edge when nothing is lost). */
  runs: number;
  startP50Us: number;
  startMaxUs: number;
  doneP50Us: number;
  doneMaxUs: number;
  /** The storm line's hardirqs and thread runs, as a share of the measured time. */
  stormCpuPercent: number;
  /**
   * Storm pulses, and after the storm stopped and the board settled, the storm hardirqs run and the storm edges
   * merged on the way: by the GPIO status latch or the DigitalBank's `triggered` mask before onReadable, or by
   * the HAL chip's latch while the line was masked (polled). Handled and merged add up to the pulses.
   */
  stormPulses: number;
  stormHandled: number;
  stormMerged: number;
  stormSwitches: number;
}

const STORM_PIN = 25;
const VICTIM_PIN = 26;
const STORM_HARDIRQ_US = 10;
const STORM_THREAD_US = 100;
const VICTIM_SLICES = 10;
const VICTIM_SLICE_US = 200;
/** The victim's edges start once the storm has run this long, EDGE_GAP_US apart. */
const FIRST_EDGE_US = 200_000;
const EDGE_GAP_US = 10_000;
/** After the storm stops: more than a poll period (the storm option's pollUs, 1 ms by default). */
const SETTLE_US = 5_000;

const median = (sorted: readonly number[]): number => sorted[Math.floor(sorted.length / 2)] ?? NaN;

export async function stormVictim(which: StormCase, edgesWanted = 20): Promise<StormFigures> {
  const board = bootSimBoard({ seed: 5, core: which === 'storm, storm handling off' ? { storm: false } : {} });
  const { sim, core } = board;
  const storm = new PulseGenerator(sim, board.pin(STORM_PIN), { periodUs: 20, widthUs: 10 });
  const stormIrq = board.gpioToIrq(STORM_PIN);
  let stormHandled = 0;
  let stormCpuUs = 0;
  core.requestThreadedIrq(stormIrq, () => {
    stormHandled++;
    sim.spend(STORM_HARDIRQ_US);
    stormCpuUs += STORM_HARDIRQ_US;
    return IRQ_WAKE_THREAD;
  }, () => {
    sim.spend(STORM_THREAD_US);
    stormCpuUs += STORM_THREAD_US;
    return IRQ_HANDLED;
  }, IRQF_TRIGGER_RISING, 'storm', storm);
  core.irqSetThreadPriority(stormIrq, storm, 60);

  const victim = board.pin(VICTIM_PIN).pushPull('victim');
  victim.drive(0);
  const edges: number[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  const yieldOnce = (): Promise<void> => new Promise((resolve) => sim.defer(resolve));
  core.requestThreadedIrq(board.gpioToIrq(VICTIM_PIN), () => IRQ_WAKE_THREAD, async () => {
    starts.push(sim.now());
    for (let i = 0; i < VICTIM_SLICES; i++) {
      sim.spend(VICTIM_SLICE_US);
      if (i < VICTIM_SLICES - 1) await yieldOnce();
    }
    ends.push(sim.now());
    return IRQ_HANDLED;
  }, IRQF_TRIGGER_RISING, 'victim', victim);
  if (which !== 'no storm') storm.start();

  for (let i = 0; i < edgesWanted; i++) {
    const t = FIRST_EDGE_US + i * EDGE_GAP_US;
    sim.at(t, () => {
      edges.push(t);
      victim.drive(1);
    });
    sim.at(t + EDGE_GAP_US / 2, () => victim.drive(0));
  }
  let cpuAtFirstEdge = 0;
  sim.at(FIRST_EDGE_US, () => (cpuAtFirstEdge = stormCpuUs));
  const endUs = FIRST_EDGE_US + edgesWanted * EDGE_GAP_US;
  await sim.advance(endUs);
  storm.stop();
  const stormCpuPercent = (100 * (stormCpuUs - cpuAtFirstEdge)) / (sim.now() - FIRST_EDGE_US);
  // Let the edges still on their way (a delivery in the message queue, a polled line's latched edge waiting for
  // its poll) arrive, so that every pulse is counted as handled or merged.
  await sim.advance(SETTLE_US);
  const start = starts.map((s, i) => s - edges[i]).sort((a, b) => a - b);
  const done = ends.map((e, i) => e - edges[i]).sort((a, b) => a - b);
  return {
    case: which,
    edges: edges.length,
    runs: ends.length,
    startP50Us: median(start),
    startMaxUs: start[start.length - 1] ?? NaN,
    doneP50Us: median(done),
    doneMaxUs: done[done.length - 1] ?? NaN,
    stormCpuPercent,
    stormPulses: storm.pulses,
    stormHandled,
    stormMerged: board.provider.fakes.digital.coalesced(STORM_PIN) + board.gpio.pinInfo(STORM_PIN).coalesced,
    stormSwitches: core.irqToDesc(stormIrq)!.stormSwitches,
  };
}
