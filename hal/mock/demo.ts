/*
 * `npm start`: the demo app (examples/demo/app.ts) on the simulated ESP32 board for a few virtual seconds (hal/mock/firmware-board),
 * with a progress line, then the interrupt table, the thread listing, per-irq latency and the drivers'
 * figures. `npm start -- --trace FILE` also writes a Chrome trace (JSON) that Perfetto and chrome://tracing
 * open; `--seconds N` changes the run's length.
 */
import { writeFileSync } from 'node:fs';
import { startFirmwareBoard } from './firmware-board';

interface Args {
  trace: string | undefined;
  seconds: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { trace: undefined, seconds: 3 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--trace') args.trace = argv[++i];
    else if (arg === '--seconds') args.seconds = Number(argv[++i]);
    else throw new Error(`unknown argument ${arg} (use --trace FILE, --seconds N)`);
  }
  if (args.trace === '' || (argv.includes('--trace') && args.trace === undefined)) throw new Error('--trace needs a file name');
  if (!(args.seconds > 0)) throw new Error('--seconds needs a positive number');
  return args;
}

const us = (v: number): string => (Number.isNaN(v) ? '-' : `${Math.round(v)}`);

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const run = await startFirmwareBoard({
    core: { stats: true, ...(args.trace ? { trace: { capacity: 200_000 } } : {}) },
    log: (level, message) => console.log(`  [${level}] ${message}`),
  });
  const { board, firmware, counts } = run;
  const { sim } = board;
  const { core } = firmware;
  const durationUs = args.seconds * 1_000_000;
  run.feed(durationUs);
  const stepUs = 500_000;
  for (let t = 0; t < durationUs; t += stepUs) {
    await sim.advance(Math.min(stepUs, durationUs - t));
    console.log(
      `t=${(sim.now() / 1e6).toFixed(1)} s  button presses ${counts.presses.length}  accel samples ${counts.samples}  ` +
        `expander pin edges ${counts.expanderPins}  sensor readings ${counts.sensorValues}`,
    );
  }

  console.log('\n/proc/interrupts');
  console.log(core.procInterrupts());
  console.log('\nthreads');
  for (const t of core.irqThreads()) {
    console.log(
      `  ${t.name.padEnd(18)} prio ${t.priority} ${t.state.padEnd(7)} wakeups ${String(t.wakeups).padStart(4)} runs ${String(t.runs).padStart(4)} ` +
        `coalesced ${t.coalesced} errors ${t.errors} longest ${t.longestUs} us`,
    );
  }
  console.log('\nlatency per irq, us (p50 / p99 / max)');
  console.log(`  ${'irq'.padEnd(24)} ${'edge to hardirq'.padEnd(20)} ${'edge to thread start'.padEnd(22)} thread run`);
  const f = (s: { p50Us: number; p99Us: number; maxUs: number }): string => `${us(s.p50Us)} / ${us(s.p99Us)} / ${us(s.maxUs)}`;
  for (const irq of new Set(core.irqThreads().map((t) => t.irq))) {
    const l = core.irqLatency(irq);
    if (l === undefined) continue;
    const name = `${irq} ${core.irqToDesc(irq)!.actions.join(', ')}`;
    console.log(`  ${name.padEnd(24)} ${f(l.edgeToHardirq).padEnd(20)} ${f(l.edgeToThread).padEnd(22)} ${f(l.threadRun)}`);
  }
  console.log('\nspurious (as /proc/irq/N/spurious): count in window, unhandled in window, unhandled total, last unhandled');
  for (const irq of new Set(core.irqThreads().map((t) => t.irq))) {
    const sp = core.irqSpurious(irq);
    const last = sp.lastUnhandledUs === undefined ? '-' : `${(sp.lastUnhandledUs / 1000).toFixed(3)} ms`;
    console.log(`  irq ${String(irq).padEnd(3)} ${String(sp.count).padStart(6)} ${String(sp.unhandled).padStart(6)} ${String(sp.unhandledTotal).padStart(6)}  ${last}`);
  }
  const { button, accel, expander } = firmware;
  console.log(`\nbutton: ${run.devices.button.presses} presses, ${button.presses} reported, ${button.bounces} bounce edges swallowed`);
  if (accel) console.log(`accelerometer: ${accel.samples} samples in ${accel.interrupts} interrupts, ${accel.overruns} overruns`);
  if (expander) {
    console.log(
      `expander: ${counts.expanderPins} falling edges dispatched, ${expander.changesFromGpio} of them found from GPIO levels ` +
        `(the chip reported ${run.devices.expander.missedChanges} changes only that way), ${expander.notOurs} shared-line interrupts that were the sensor's`,
    );
  }
  console.log(`sensor: ${run.devices.sensor.eventsRaised} events raised, ${firmware.sensorReadings} read`);
  console.log(`ESP32 GPIO HAL: ${firmware.gpio.stats.deliveries} deliveries, ${firmware.gpio.stats.coalesced} edges known merged, ${firmware.gpio.stats.levelRetriggers} level retriggers`);

  if (args.trace !== undefined) {
    const trace = core.irqTraceChrome('genirq demo');
    writeFileSync(args.trace, JSON.stringify(trace));
    console.log(`\ntrace: ${trace.traceEvents.length} events written to ${args.trace} (open it in https://ui.perfetto.dev or chrome://tracing)`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
