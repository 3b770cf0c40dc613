// `npm run bench`: what the framework costs per interrupt, beside a hand-written floor doing the same work
// (host-tests/xs/bench-workloads.ts says what each workload and its floor do). Prints one table and writes
// the figures to build/out/bench.json.
//
// Extension points:
//   - a new interrupt path: an entry in WORKLOADS (host-tests/xs/bench-workloads.ts); every measurement made
//     with perWorkload() below measures it, framework against floor;
//   - a new kind of figure: an entry in MEASUREMENTS below, whose rows() returns table rows (see Row). Those
//     with `engine: 'node'` run first, in this process (nodeModule() bundles a TypeScript module for Node
//     and imports it); those with `engine: 'xs'` run after, once this process has loaded xsnap (which locks
//     it down with SES). An XS measurement drives the program host-tests/xs/bench-entry.ts in a fresh worker
//     (withXs) through its ops; add ops there.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatTable } from './bench-table.mjs';
import { bundleForXs, grouped, root, runInXs, snapshotSize } from './xs/host.mjs';

const outDir = join(root, 'build', 'out');
const fmt = grouped;

/** Interrupts before anything is measured (first-run allocations, the event heap reaching its size). */
const WARMUP = 200;
/** XS meter: per interrupt = (meter of 2N interrupts - meter of N interrupts) / N, so fixed costs cancel. */
const METER_N = 1_000;
/** XS heap: live heap after GC, before and after this many interrupts. */
const HEAP_N = 10_000;
/**
 * Node: run(NODE_N) repeated for at least NODE_ROUND_MS makes a round; NODE_ROUNDS rounds per implementation,
 * alternating framework and floor, and the median round is kept.
 */
const NODE_N = 2_000;
const NODE_ROUND_MS = 100;
const NODE_ROUNDS = 5;

// ---- Node ----

/** @typedef {import('../host-tests/xs/bench-workloads').WorkloadPair} WorkloadPair */
/** @typedef {import('../host-tests/xs/bench-workloads').Workload} Workload */

/** @type {Map<string, any>} */
const nodeModules = new Map();

/**
 * Bundle a TypeScript module of the project for Node (into build/out/) and import it. One bundle, one module
 * scope, not tsx's module graph (npm start's runner): the Node figures keep the code shape they were taken with.
 *
 * @param {string} path  from the root
 * @returns {Promise<any>} the module's namespace
 */
async function nodeModule(path) {
  if (!nodeModules.has(path)) {
    const outfile = join(outDir, 'bench', path.replace(/\.ts$/, '.mjs'));
    await build({
      entryPoints: [join(root, path)],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      // Packages stay packages (koffi, which the native GPIO module's host build loads, has a native addon).
      packages: 'external',
      logLevel: 'warning',
    });
    nodeModules.set(path, await import(pathToFileURL(outfile).href));
  }
  return nodeModules.get(path);
}

/**
 * Interrupts per second over one round.
 *
 * @param {Workload} workload
 */
async function timedRound(workload) {
  const t0 = process.hrtime.bigint();
  let n = 0;
  let elapsed = 0;
  while (elapsed < NODE_ROUND_MS * 1e6) {
    await workload.run(NODE_N);
    n += NODE_N;
    elapsed = Number(process.hrtime.bigint() - t0);
  }
  return n / (elapsed / 1e9);
}

/** @param {number[]} values */
const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** @param {WorkloadPair} pair */
async function nodeRates(pair) {
  const framework = pair.framework();
  const floor = pair.floor();
  await timedRound(framework);
  await timedRound(floor);
  /** @type {{ framework: number[], floor: number[] }} */
  const rates = { framework: [], floor: [] };
  for (let round = 0; round < NODE_ROUNDS; round++) {
    rates.framework.push(await timedRound(framework));
    rates.floor.push(await timedRound(floor));
  }
  return { framework: median(rates.framework), floor: median(rates.floor) };
}

// ---- XS ----

let xsCode;

/**
 * Run body({ worker, command }) with a fresh xsnap worker running host-tests/xs/bench-entry.ts, closed after.
 * command(cmd) is one delivery: it resolves to xsnap's meter usage of it (compute, currentHeapCount, ...)
 * and the program's answer.
 *
 * @template T
 * @param {(xs: { worker: import('./xs/host.mjs').XsWorker, command: (cmd: { op: string, [key: string]: unknown }) => Promise<{ meter: any, answer: any }> }) => Promise<T>} body
 * @returns {Promise<T>}
 */
async function withXs(body) {
  xsCode ??= (await bundleForXs('host-tests/xs/bench-entry.ts')).code;
  const run = await runInXs(xsCode, {
    name: 'bench',
    then: ({ worker, messages }) => body({
      worker,
      command: async (cmd) => {
        const before = messages.length;
        const { meterUsage } = await worker.issueStringCommand(JSON.stringify(cmd));
        const answers = messages.slice(before);
        const failure = answers.find((m) => m.type === 'error');
        if (failure) throw new Error(`XS bench op ${cmd.op}: ${failure.error}`);
        return { meter: meterUsage, answer: answers.find((m) => m.type === 'done') };
      },
    }),
  });
  if (run.error !== undefined) throw run.thrown;
  return /** @type {T} */ (run.value);
}

/**
 * Two XS workers at a time: each is its own xsnap process and its figures are the XS meter's and heap's,
 * which do not depend on what else the machine runs, so the machine's two cores shorten the run without
 * changing a figure. (The Node timings, which would feel it, run before any XS worker.)
 *
 * @type {<A, B>(a: () => Promise<A>, b: () => Promise<B>) => Promise<[A, B]>}
 */
const both = (a, b) => Promise.all([a(), b()]);

/** @typedef {'framework' | 'floor'} Impl */

/**
 * @param {string} workload
 * @param {Impl} impl
 * @returns {Promise<number>}
 */
async function xsMeterPerIrq(workload, impl) {
  return withXs(async ({ command }) => {
    await command({ op: 'setup', workload, impl });
    await command({ op: 'run', n: WARMUP });
    const once = (await command({ op: 'run', n: METER_N })).meter.compute;
    const twice = (await command({ op: 'run', n: 2 * METER_N })).meter.compute;
    return (twice - once) / METER_N;
  });
}

/**
 * @param {string} workload
 * @param {Impl} impl
 */
async function xsHeapGrowth(workload, impl) {
  return withXs(async ({ worker, command }) => {
    await command({ op: 'setup', workload, impl });
    await command({ op: 'run', n: WARMUP });
    const slots0 = (await command({ op: 'gc' })).meter.currentHeapCount;
    const bytes0 = await snapshotSize(worker);
    await command({ op: 'run', n: HEAP_N });
    const slots1 = (await command({ op: 'gc' })).meter.currentHeapCount;
    const bytes1 = await snapshotSize(worker);
    return { bytes: bytes1 - bytes0, slots: slots1 - slots0 };
  });
}

/** Interrupts over which xsAllocPerIrq counts slots: few enough that no collection runs in between. */
const ALLOC_N = 100;

/**
 * Slots allocated per interrupt, garbage included: live slots right after ALLOC_N interrupts minus live slots
 * after a full collection just before them. (XS collects only when its free slots run out, which ALLOC_N
 * interrupts of these workloads do not reach after a collection; a collection in between would show as a
 * figure below the true one.) What a path allocates per interrupt is GC work on the board even when the
 * after-GC growth is 0.
 *
 * @param {string} workload
 * @param {Impl} impl
 */
async function xsAllocPerIrq(workload, impl) {
  return withXs(async ({ command }) => {
    await command({ op: 'setup', workload, impl });
    await command({ op: 'run', n: WARMUP });
    const slots0 = (await command({ op: 'gc' })).meter.currentHeapCount;
    const slots1 = (await command({ op: 'run', n: ALLOC_N })).meter.currentHeapCount;
    return (slots1 - slots0) / ALLOC_N;
  });
}

/** Lines whose registration is measured: seed 001's claim is about a shared thread for several irqs. */
const REGISTER_N = 10;

/**
 * Heap (snapshot bytes after GC) that requesting an action of `mode` on REGISTER_N lines adds.
 *
 * @param {'plain' | 'dedicated' | 'shared'} mode
 */
async function xsRegistrationHeap(mode) {
  return withXs(async ({ worker, command }) => {
    await command({ op: 'lines', count: REGISTER_N });
    await command({ op: 'gc' });
    const bytes0 = await snapshotSize(worker);
    await command({ op: 'register', mode });
    await command({ op: 'gc' });
    return (await snapshotSize(worker)) - bytes0;
  });
}

/** The demo's memory: virtual seconds of its realistic input, sampled every DEMO_STEP_US of virtual time. */
const DEMO_SECONDS = 10;
const DEMO_STEP_US = 10_000;
/** Known objects kept alive to size the snapshot per slot and per chunk. */
const PROBE_LINKS = 20_000;
const PROBE_BUFFERS = 1_000;
const PROBE_BUFFER_BYTES = [64, 1_024];

/**
 * @typedef {{ slots: number, bytes: number }} Point  live slots after a full GC, and snapshot bytes
 * @typedef {object} DemoMemory
 * @property {Point} loaded
 * @property {Point} started
 * @property {Point} ran
 * @property {number[]} live       live slots after the GC that follows each step (the first: after the start-up)
 * @property {number[]} allocated  live slots right after each step, the start-up first
 * @property {Record<string, number>} counts
 * @property {{ slotsPerLink: number, perSlot: number, chunks: { bytes: number, slotsEach: number, chunkBytesEach: number }[] }} [probe]
 */

/**
 * The demo app's XS memory in a fresh worker (host-tests/xs/demo-memory.ts): kind 'firmware' runs
 * startFirmwareBoard, 'baseline' the same board, devices, fakes and input with no firmware. `at()` is the
 * live slots (after a full GC) and the snapshot bytes. Peaks: `live`, the most live slots after the GC that
 * follows each DEMO_STEP_US step (a lower bound of the peak), and `allocated`, the most of live slots at a
 * step's start plus what the step allocated (currentHeapCount right after it: xsnap's heap has room for far
 * more, so no collection runs in between; an upper bound of the peak).
 *
 * @param {'firmware' | 'baseline'} kind
 * @param {{ probe?: boolean }} [options]
 * @returns {Promise<DemoMemory>}
 */
async function xsDemoMemory(kind, { probe = false } = {}) {
  return withXs(async ({ worker, command }) => {
    const at = async () => ({ slots: (await command({ op: 'gc' })).meter.currentHeapCount, bytes: await snapshotSize(worker) });
    const loaded = await at();
    const startUpAllocated = (await command({ op: 'demo', kind })).meter.currentHeapCount;
    const started = await at();
    await command({ op: 'demo-feed', us: DEMO_SECONDS * 1e6 });
    const live = [(await command({ op: 'gc' })).meter.currentHeapCount];
    const allocated = [startUpAllocated];
    /** @type {Record<string, number>} */
    let counts = {};
    for (let t = 0; t < DEMO_SECONDS * 1e6; t += DEMO_STEP_US) {
      const step = await command({ op: 'demo-advance', us: DEMO_STEP_US });
      allocated.push(step.meter.currentHeapCount);
      counts = { ...step.answer.counts, pendingEvents: step.answer.pendingEvents };
      live.push((await command({ op: 'gc' })).meter.currentHeapCount);
    }
    const ran = await at();
    const result = { loaded, started, ran, live, allocated, counts };
    if (!probe) return result;
    // The snapshot's bytes per slot: 2 slots a link, no chunk.
    const before = await at();
    await command({ op: 'probe', kind: 'slots', count: PROBE_LINKS });
    const links = await at();
    const perSlot = (links.bytes - before.bytes) / (links.slots - before.slots);
    /** @type {{ bytes: number, slotsEach: number, chunkBytesEach: number }[]} */
    const chunks = [];
    for (const bytes of PROBE_BUFFER_BYTES) {
      await command({ op: 'probe-drop' });
      const from = await at();
      await command({ op: 'probe', kind: 'chunks', count: PROBE_BUFFERS, bytes });
      const to = await at();
      const chunkBytes = (to.bytes - from.bytes) - (to.slots - from.slots) * perSlot;
      chunks.push({ bytes, slotsEach: (to.slots - from.slots) / PROBE_BUFFERS, chunkBytesEach: chunkBytes / PROBE_BUFFERS });
    }
    return { ...result, probe: { slotsPerLink: (links.slots - before.slots) / PROBE_LINKS, perSlot, chunks } };
  });
}

// ---- the measurements ----

/**
 * A row of the table and of build/out/bench.json: what build/bench-table.mjs prints (label, the figures, the
 * target), its id, and what a measurement adds.
 *
 * @typedef {import('./bench-table.mjs').TableRow & {
 *   id: string,
 *   vs?: { workload: string, framework: number, ratio: number },
 *   handled?: unknown,
 *   pendingEvents?: unknown,
 * }} Row  `vs`: the other workload a `meterVs` target compares the framework with (its framework figure, and
 *   this framework's over it)
 */

/**
 * `--workload ID` and `--only MEASUREMENT,...` run a part of the bench (host-tests/xs/esp32-heap.test.ts
 * does, for one workload's heap); `--json` then prints the rows as one JSON line instead of the table, and
 * build/out/bench.json is left alone.
 *
 * @param {string} name
 */
const argValue = (name) => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
};
const ONLY_WORKLOAD = argValue('--workload');
const ONLY_MEASUREMENTS = argValue('--only')?.split(',');
const PARTIAL = ONLY_WORKLOAD !== undefined || ONLY_MEASUREMENTS !== undefined;

/**
 * A measurement made for every workload, framework against floor: measure(pair) gives the row minus its label.
 *
 * @param {(pair: WorkloadPair) => Promise<Omit<Row, 'label' | 'id'>>} measure
 * @returns {() => Promise<Row[]>}
 */
function perWorkload(measure) {
  return async () => {
    /** @type {{ WORKLOADS: WorkloadPair[] }} */
    const { WORKLOADS } = await nodeModule('host-tests/xs/bench-workloads.ts');
    /** @type {Row[]} */
    const rows = [];
    for (const pair of WORKLOADS.filter((w) => ONLY_WORKLOAD === undefined || w.id === ONLY_WORKLOAD)) rows.push({ id: pair.id, label: pair.title, ...(await measure(pair)) });
    return rows;
  };
}

/**
 * XS meter units per interrupt of a workload's framework and floor, each measured once per run.
 *
 * @type {Map<string, Promise<[number, number]>>}
 */
const meterFigures = new Map();

/**
 * @param {string} id
 * @returns {Promise<[number, number]>}
 */
function xsMeterPair(id) {
  if (!meterFigures.has(id)) meterFigures.set(id, both(() => xsMeterPerIrq(id, 'framework'), () => xsMeterPerIrq(id, 'floor')));
  return /** @type {Promise<[number, number]>} */ (meterFigures.get(id));
}

/**
 * A workload's meter target, when it has one: `meterRatioTarget` (framework / floor), `meterTarget` (framework
 * units per interrupt) or `meterVs` (framework / another workload's framework, whose figure is measured here
 * if that workload was not, under --workload).
 *
 * @param {WorkloadPair} pair
 * @param {number} framework
 * @param {number} ratio
 * @returns {Promise<Pick<Row, 'target' | 'met' | 'vs'>>}
 */
async function meterTarget(pair, framework, ratio) {
  if (pair.meterRatioTarget !== undefined) return { target: `ratio <= ${pair.meterRatioTarget}`, met: ratio <= pair.meterRatioTarget };
  if (pair.meterTarget !== undefined) return { target: `<= ${fmt(pair.meterTarget)}`, met: framework <= pair.meterTarget };
  if (pair.meterVs !== undefined) {
    const { workload, ratio: most, name } = pair.meterVs;
    const [other] = await xsMeterPair(workload);
    const vs = framework / other;
    return { target: `<= ${most}x ${name} (${vs.toFixed(2)}x)`, met: vs <= most, vs: { workload, framework: other, ratio: vs } };
  }
  return {};
}

/**
 * @typedef {object} Measurement
 * @property {string} id
 * @property {string} title
 * @property {'node' | 'xs'} engine
 * @property {() => Promise<Row[]>} rows
 */

/** @type {Measurement[]} */
const MEASUREMENTS = [
  {
    id: 'xs-meter',
    title: 'XS meter units per interrupt',
    engine: 'xs',
    rows: perWorkload(async (pair) => {
      const [framework, floor] = await xsMeterPair(pair.id);
      // The meter is deterministic: a second pair of workers must give the same figures to the unit.
      const again = await both(() => xsMeterPerIrq(pair.id, 'framework'), () => xsMeterPerIrq(pair.id, 'floor'));
      const ratio = framework / floor;
      return {
        framework, floor, extra: framework - floor, ratio, show: (v) => fmt(v, 1),
        deterministic: again[0] === framework && again[1] === floor,
        ...(await meterTarget(pair, framework, ratio)),
      };
    }),
  },
  {
    id: 'xs-heap',
    title: `XS heap growth per ${fmt(HEAP_N)} interrupts, after GC (snapshot bytes / slots)`,
    engine: 'xs',
    rows: perWorkload(async (pair) => {
      const [framework, floor] = await both(() => xsHeapGrowth(pair.id, 'framework'), () => xsHeapGrowth(pair.id, 'floor'));
      return {
        framework, floor, show: (v) => `${fmt(v.bytes)} B / ${fmt(v.slots)}`,
        target: 'none', met: framework.bytes <= 0 && framework.slots <= 0,
      };
    }),
  },
  {
    id: 'xs-alloc',
    title: `XS slots allocated per interrupt, garbage included (live slots after ${ALLOC_N} interrupts from a collection)`,
    engine: 'xs',
    rows: perWorkload(async (pair) => {
      const [framework, floor] = await both(() => xsAllocPerIrq(pair.id, 'framework'), () => xsAllocPerIrq(pair.id, 'floor'));
      return { framework, floor, extra: framework - floor, show: (v) => fmt(v, 2) };
    }),
  },
  {
    id: 'node-rate',
    title: 'Node: interrupts per second, end to end (extra: us per interrupt; ratio: floor rate / framework rate)',
    engine: 'node',
    rows: perWorkload(async (pair) => {
      const { framework, floor } = await nodeRates(pair);
      return {
        framework, floor, extra: { us: 1e6 / framework - 1e6 / floor }, ratio: floor / framework,
        show: (v) => (typeof v === 'number' ? fmt(v) : `${fmt(v.us, 2)} us`),
      };
    }),
  },
  {
    id: 'priority-latency',
    title: 'Priority latency in virtual us, wake to thread start: a priority-90 thread while priority-10 threads keep the runner busy',
    engine: 'node',
    rows: async () => {
      const f = await (await nodeModule('bench/threads.ts')).priorityLatency();
      /** @param {number} v */
      const show = (v) => `${fmt(v)} us`;
      const target = `<= budget + one run (${fmt(f.boundUs)} us)`;
      return [
        { id: 'p50', label: `p50 over ${fmt(f.wakes)} wakes (budget ${fmt(f.budgetUs)} us, low runs ${fmt(f.lowRunUs)} us)`, framework: f.p50Us, show },
        { id: 'p99', label: 'p99', framework: f.p99Us, show },
        { id: 'max', label: `max (${fmt(f.yields)} budget yields)`, framework: f.maxUs, show, target, met: f.maxUs <= f.boundUs },
      ];
    },
  },
  {
    id: 'storm',
    title: 'A victim thread beside an interrupt storm, virtual us (bench/storm.ts): edge to start p50/max, edge to end of 2 ms of work p50/max, storm CPU share',
    engine: 'node',
    rows: async () => {
      const { stormVictim } = await nodeModule('bench/storm.ts');
      /** @type {Row[]} */
      const rows = [];
      for (const which of ['no storm', 'storm, polled when over budget', 'storm, storm handling off']) {
        const f = await stormVictim(which);
        rows.push({
          id: which, label: which,
          framework: f, show: (v) => `${fmt(v.startP50Us)}/${fmt(v.startMaxUs)} us, ${fmt(v.doneP50Us)}/${fmt(v.doneMaxUs)} us, ${fmt(v.stormCpuPercent, 1)}% CPU`,
          target: which === 'storm, polled when over budget' ? 'storm <= 50% CPU' : undefined,
          met: which === 'storm, polled when over budget' ? f.stormCpuPercent <= 50 : undefined,
        });
      }
      return rows;
    },
  },
  {
    id: 'native',
    title: 'The native GPIO module\'s C built for the host, on the simulated board through the native chip (bench/native.ts)',
    engine: 'node',
    rows: async () => {
      const { nativeHostRate, nativeLatency, nativeStorm } = await nodeModule('bench/native.ts');
      const rate = await nativeHostRate();
      const latency = await nativeLatency();
      const storm = await nativeStorm();
      /** @param {number} v */
      const us = (v) => `${fmt(v)} us`;
      return [
        {
          id: 'host-rate', label: `interrupts per wall-clock second, edge to handler through the C ISR, ring and post (${fmt(rate.interrupts)} edges)`,
          framework: rate.perSecond, show: (/** @type {number} */ v) => `${fmt(v)} /s`,
        },
        { id: 'edge-to-hardirq', label: `edge (the ISR's time) to hardirq, virtual us, p50 / max over ${fmt(latency.samples)} level INTs (50 us message latency)`, framework: latency, show: (/** @type {any} */ v) => `${us(v.edgeToHardirqP50Us)} / ${us(v.edgeToHardirqMaxUs)}` },
        { id: 'edge-to-thread', label: 'edge to oneshot thread start, p50 / p99 / max', framework: latency, show: (/** @type {any} */ v) => `${us(v.edgeToThreadP50Us)} / ${us(v.edgeToThreadP99Us)} / ${us(v.edgeToThreadMaxUs)}` },
        {
          id: 'storm', label: `a 100 kHz storm of ${fmt(storm.pulses)} pulses, JavaScript 2 ms away: handled + dropped (counted) + merged below the ring`,
          framework: storm, show: (/** @type {any} */ v) => `${fmt(v.handled)} + ${fmt(v.dropped)} + ${fmt(v.mergedBelow)} (${fmt(v.posts)} posts)`,
          target: 'every pulse accounted for', met: storm.unaccounted === 0,
        },
      ];
    },
  },
  {
    id: 'xs-registration-heap',
    title: `XS heap per registration, after GC (snapshot bytes; ${REGISTER_N} irqs)`,
    engine: 'xs',
    rows: async () => {
      const plain = await xsRegistrationHeap('plain');
      const dedicated = await xsRegistrationHeap('dedicated');
      const shared = await xsRegistrationHeap('shared');
      /** @param {number} v */
      const show = (v) => `${fmt(v)} B`;
      // What the threads cost: the registration minus the action a plain request has as well.
      const ratio = (shared - plain) / (dedicated - plain);
      return [
        { id: 'plain', label: 'per irq, no thread (the action alone)', framework: plain / REGISTER_N, show },
        { id: 'dedicated', label: 'per irq with a thread of its own', framework: dedicated / REGISTER_N, extra: (dedicated - plain) / REGISTER_N, show },
        { id: 'shared', label: 'per irq in one shared thread', framework: shared / REGISTER_N, extra: (shared - plain) / REGISTER_N, show },
        {
          id: 'shared-vs-dedicated', label: `thread memory for ${REGISTER_N} irqs: one shared thread / ${REGISTER_N} threads`,
          framework: shared - plain, floor: dedicated - plain, ratio, show, target: 'ratio <= 0.2', met: ratio <= 0.2,
        },
      ];
    },
  },
  {
    id: 'xs-demo-memory',
    title: 'XS memory the demo needs, live slots after GC / snapshot bytes (framework: the demo firmware on the simulated board; floor: the same board, fakes and input, no firmware)',
    engine: 'xs',
    rows: async () => {
      const f = await xsDemoMemory('firmware');
      const b = await xsDemoMemory('baseline', { probe: true });
      if (b.probe === undefined) throw new Error('the baseline run took no probe');
      const { perSlot } = b.probe;
      /** @param {Point} v */
      const point = (v) => `${fmt(v.slots)} / ${fmt(v.bytes)} B`;
      /** @param {number} v */
      const slots = (v) => fmt(v);
      /** @type {(x: Point, y: Point) => Point} */
      const diff = (x, y) => ({ slots: x.slots - y.slots, bytes: x.bytes - y.bytes });
      /** @param {number[]} values */
      const max = (values) => values.reduce((a, v) => Math.max(a, v), -Infinity);
      // Per step i (0: the start-up), aligned by virtual time: the firmware's live slots, and the bound on its
      // peak: its live slots at the step's start plus what the firmware run allocated in the step beyond what
      // the baseline allocated in the same step (the deliveries' own allocations cancel).
      /** @type {(r: typeof f, i: number) => number} */
      const start = (r, i) => (i === 0 ? r.loaded.slots : r.live[i - 1]);
      /** @type {(r: typeof f, i: number) => number} */
      const stepAllocated = (r, i) => r.allocated[i] - start(r, i);
      const liveExtra = max(f.live.map((v, i) => v - b.live[i]));
      const boundExtra = max(f.allocated.map((_, i) => start(f, i) - start(b, i) + stepAllocated(f, i) - stepAllocated(b, i)));
      const startUpExtra = stepAllocated(f, 0) - stepAllocated(b, 0);
      // The firmware's chunks: its snapshot bytes beyond its slots (32 B each in the snapshot; each chunk is its
      // bytes plus 16 B there, see the probe row).
      /** @param {Point} d */
      const chunkBytes = (d) => d.bytes - d.slots * perSlot;
      // The heap the demo asks for (examples/demo/manifest.json): the firmware's live peak must leave half of it
      // to Moddable's own objects and the garbage between collections.
      const demoHeap = JSON.parse(readFileSync(join(root, 'examples/demo/manifest.json'), 'utf8')).creation.heap.initial;
      const started = diff(f.started, b.started);
      const ran = diff(f.ran, b.ran);
      const esp32 = { liveSlots: ran.slots, peakLiveSlots: liveExtra, peakBoundSlots: boundExtra, chunkBytes: Math.max(chunkBytes(started), chunkBytes(ran)) };
      const c = f.counts;
      return [
        { id: 'loaded', label: '(1) program loaded, nothing built', framework: f.loaded, floor: b.loaded, extra: diff(f.loaded, b.loaded), show: point },
        { id: 'started', label: '(2) started: board, fakes, 10 ms (framework: drivers probed)', framework: f.started, floor: b.started, extra: started, show: point },
        {
          id: 'ran', label: `(3) after ${DEMO_SECONDS} virtual s of input (${fmt(c.presses)} presses, ${fmt(c.samples)} samples, ${fmt(c.expanderPins)}/${fmt(c.sensorValues)} expander/sensor irqs)`,
          framework: f.ran, floor: b.ran, extra: ran, show: point, handled: f.counts, pendingEvents: { framework: f.counts.pendingEvents, floor: b.counts.pendingEvents },
        },
        {
          id: 'peak-live', label: `peak live slots, a GC every ${fmt(DEMO_STEP_US / 1000)} ms (lower bound)`,
          framework: max(f.live), floor: max(b.live), extra: liveExtra, show: slots,
          target: `firmware <= ${fmt(demoHeap)} / 2 (half the demo manifest's creation.heap.initial)`, met: liveExtra <= demoHeap / 2,
        },
        {
          id: 'peak-bound', label: 'peak: live at a step\'s start + its allocation (upper bound)',
          framework: max(f.allocated), floor: max(b.allocated), extra: boundExtra, show: slots,
        },
        { id: 'start-up-allocated', label: 'slots the start-up allocates, garbage included', framework: stepAllocated(f, 0), floor: stepAllocated(b, 0), extra: startUpExtra, show: slots },
        {
          id: 'esp32', label: 'firmware in ESP32 units: live / peak slots, chunk bytes',
          framework: esp32, show: (v) => `${fmt(v.liveSlots)} / ${fmt(v.peakLiveSlots)}-${fmt(v.peakBoundSlots)} slots, <= ${fmt(v.chunkBytes)} B`,
          target: 'chunk <= 32,768 B (esp32 default)', met: esp32.chunkBytes <= 32768,
        },
        {
          id: 'probe', label: 'snapshot bytes per slot; per chunk of N bytes (probes)',
          framework: b.probe, show: (v) => `${fmt(v.perSlot)} B, N + ${v.chunks.map((/** @type {{ bytes: number, chunkBytesEach: number }} */ k) => fmt(k.chunkBytesEach - k.bytes)).join('/')} B`,
        },
      ];
    },
  },
];

/** @param {Record<string, Row[]>} results */
function printTable(results) {
  console.log(formatTable(MEASUREMENTS.map((m) => ({ title: m.title, rows: results[m.id] ?? [] }))));
}

async function main() {
  /** @type {Record<string, Row[]>} */
  const results = {};
  const measurements = MEASUREMENTS.filter((m) => ONLY_MEASUREMENTS === undefined || ONLY_MEASUREMENTS.includes(m.id));
  for (const engine of ['node', 'xs']) {
    for (const m of measurements.filter((x) => x.engine === engine)) results[m.id] = await m.rows();
  }
  if (PARTIAL && process.argv.includes('--json')) {
    const rows = Object.fromEntries(Object.entries(results).map(([id, r]) => [id, r.map(({ show, ...figures }) => figures)]));
    console.log(JSON.stringify(rows));
    return;
  }
  if (PARTIAL) {
    printTable(results);
    return;
  }
  printTable(results);
  const checked = Object.values(results).flat().filter((r) => r.deterministic !== undefined);
  if (checked.length) console.log(`\nXS meter figures identical in a second worker: ${checked.every((r) => r.deterministic) ? 'yes' : 'NO'}`);

  const xsnapPackage = JSON.parse(readFileSync(join(root, 'node_modules/@agoric/xsnap/package.json'), 'utf8'));
  const json = {
    generatedAt: new Date().toISOString(),
    node: process.version,
    xsnap: xsnapPackage.version,
    parameters: { WARMUP, METER_N, HEAP_N, ALLOC_N, NODE_N, NODE_ROUND_MS, NODE_ROUNDS, REGISTER_N, DEMO_SECONDS, DEMO_STEP_US, PROBE_LINKS, PROBE_BUFFERS, PROBE_BUFFER_BYTES },
    measurements: Object.fromEntries(MEASUREMENTS.map((m) => [m.id, {
      title: m.title,
      engine: m.engine,
      rows: results[m.id].map(({ show, ...figures }) => figures),
    }])),
  };
  const file = join(outDir, 'bench.json');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`\nfigures written to ${file.slice(root.length + 1)}`);
}

await main();
