/*
 * `npm start`: the demo app (examples/demo/app.ts) on the simulated ESP32 board for a few virtual seconds (hal/mock/firmware-board),
 * with a progress line, then the interrupt table, the thread listing, per-irq latency and the drivers'
 * figures. `npm start -- --trace FILE` also writes a Chrome trace (JSON) that Perfetto and chrome://tracing
 * open; `--seconds N` changes the run's length; `--help` prints the usage (hal/mock/demo-args.ts has the options).
 */
import { writeFileSync } from 'node:fs';
import { DEMO_USAGE, DemoUsageError, parseDemoArgs, traceFileProblem, type DemoArgs } from './demo-args';
import { startFirmwareBoard } from './firmware-board';

/** Rows of cells as aligned columns, each as wide as its widest cell; `right` lists the right-aligned columns. */
function columns(rows: readonly (readonly string[])[], right: readonly number[] = []): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => {
    if (right.includes(i)) return cell.padStart(widths[i]);
    return i === row.length - 1 ? cell : cell.padEnd(widths[i]);
  }).join('  '));
}

/** The arguments, or the exit code when there is nothing to run (help, a mistake, a trace file that cannot be written). */
function commandLine(argv: readonly string[]): DemoArgs | number {
  let args: DemoArgs;
  try {
    args = parseDemoArgs(argv);
  } catch (err) {
    if (!(err instanceof DemoUsageError)) throw err;
    console.error(`npm start: ${err.message}\n\n${DEMO_USAGE}`);
    return err.exitCode;
  }
  if (args.help) {
    console.log(DEMO_USAGE);
    return 0;
  }
  const problem = args.trace === undefined ? undefined : traceFileProblem(args.trace);
  if (problem !== undefined) {
    console.error(`npm start: --trace ${args.trace}: cannot write the trace there: ${problem}`);
    return 1;
  }
  return args;
}

const us = (v: number): string => (Number.isNaN(v) ? '-' : `${Math.round(v)}`);

interface LatencyFigure {
  readonly count: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly maxUs: number;
}

/**
 * The one value every figure of `stats` reads (p50, p99 and max of every line that measured something), or
 * undefined: the simulated IO delivers each edge a fixed latency after it happens, so edge to hardirq is one
 * number on every line unless something in the run makes it vary.
 */
function fixedLatency(stats: readonly LatencyFigure[]): number | undefined {
  const values = stats.filter((s) => s.count > 0).flatMap((s) => [s.p50Us, s.p99Us, s.maxUs].map((v) => Math.round(v)));
  return values.length > 0 && values.every((v) => v === values[0]) ? values[0] : undefined;
}

async function main(): Promise<void> {
  const args = commandLine(process.argv.slice(2));
  if (typeof args === 'number') {
    process.exitCode = args;
    return;
  }
  const run = await startFirmwareBoard({
    core: { stats: true, ...(args.trace ? { trace: { capacity: 200_000 } } : {}) },
    log: (level, message) => console.log(`  [${level}] ${message}`),
  });
  const { board, firmware, counts } = run;
  const { sim } = board;
  const { core } = firmware;
  const durationUs = Math.round(args.seconds * 1_000_000);
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
  const threads = core.irqThreads();
  const threadRows = threads.map((t) => [
    t.name, String(t.priority), t.state, String(t.wakeups), String(t.runs), String(t.coalesced), String(t.errors), String(t.longestUs),
  ]);
  for (const line of columns([['name', 'prio', 'state', 'wakeups', 'runs', 'coalesced', 'errors', 'longest run, us'], ...threadRows], [1, 3, 4, 5, 6, 7])) {
    console.log(`  ${line}`);
  }

  const irqs = [...new Set(threads.map((t) => t.irq))];
  console.log('\nlatency per irq, us (p50 / p99 / max)');
  const f = (s: LatencyFigure): string => `${us(s.p50Us)} / ${us(s.p99Us)} / ${us(s.maxUs)}`;
  const latencies = irqs.flatMap((irq) => {
    const l = core.irqLatency(irq);
    return l === undefined ? [] : [{ name: `${irq} ${core.irqToDesc(irq)!.actions.join(', ')}`, l }];
  });
  const latencyRows = latencies.map(({ name, l }) => [name, f(l.edgeToHardirq), f(l.edgeToThread), f(l.threadRun)]);
  for (const line of columns([['irq', 'edge to hardirq', 'edge to thread start', 'thread run'], ...latencyRows])) console.log(`  ${line}`);
  const fixed = fixedLatency(latencies.map(({ l }) => l.edgeToHardirq));
  if (fixed !== undefined) {
    console.log(
      `  note: the simulation is idealised: every edge reaches its hardirq a fixed ${fixed} us late and handlers take ` +
        'no time unless configured, so figures repeat',
    );
  }

  console.log('\nspurious (as /proc/irq/N/spurious)');
  const spuriousRows = irqs.map((irq) => {
    const sp = core.irqSpurious(irq);
    const last = sp.lastUnhandledUs === undefined ? '-' : `${(sp.lastUnhandledUs / 1000).toFixed(3)} ms`;
    return [String(irq), String(sp.count), String(sp.unhandled), String(sp.unhandledTotal), last];
  });
  for (const line of columns([['irq', 'count in window', 'unhandled in window', 'unhandled total', 'last unhandled'], ...spuriousRows], [0, 1, 2, 3])) {
    console.log(`  ${line}`);
  }
  const { button, accel, expander } = firmware;
  const buttonPin = firmware.gpio.pinInfo(run.pins.button);
  console.log(
    `\nbutton: ${run.devices.button.presses} presses, ${button.presses} reported (${button.lost} lost), ` +
      `${buttonPin.bounces} bounce edges swallowed by the GPIO chip's ${buttonPin.debounceUs} us debounce`,
  );
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
