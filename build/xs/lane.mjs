// The XS lane: every shared scenario (host-tests/scenarios/) run inside the real XS engine, with the firmware
// modules and the built-ins frozen as Moddable's preload leaves them on the board. It runs twice, in two
// workers at once: with xsnap's setImmediate, and without it, so the simulator drains promise jobs with the
// bounded await loop it uses on the board (hal/mock/sim.ts).
//
//   node build/xs/lane.mjs          a report per scenario and "N passed, N failed"; exit 1 on any failure
//   node build/xs/lane.mjs --json   one JSON object on stdout (what host-tests/xs/xs-lane.test.ts reads)
//
// The program inside XS is host-tests/xs/lane-entry.ts. This process ends by itself: each worker is closed
// (or terminated, past the time limit) before it exits.
import { bundleForXs, grouped, runInXs } from './host.mjs';

/** The variants, by id (the jest suite names its describe blocks after them). */
export const VARIANTS = [
  { id: 'xsnap', title: "XS, the simulator draining with xsnap's setImmediate", prelude: [] },
  { id: 'board-drain', title: 'XS without setImmediate: the simulator drains with awaits, as on the board', prelude: ['host-tests/xs/without-set-immediate.ts'] },
];

/** Wall-clock limit for one variant; the per-scenario meter limit inside XS normally stops a runaway first. */
const TIME_LIMIT_MS = Number(process.env.XS_LANE_TIME_LIMIT_MS ?? 300_000);

/** @param {typeof VARIANTS[number]} variant */
async function runVariant(variant) {
  const t0 = Date.now();
  const { code, modules } = await bundleForXs('host-tests/xs/lane-entry.ts', { prelude: variant.prelude });
  const bundleMs = Date.now() - t0;
  const t1 = Date.now();
  const { messages, error } = await runInXs(code, {
    name: `xs-lane-${variant.id}`,
    timeLimitMs: TIME_LIMIT_MS,
    // Idle with a scenario pending: it waits for something that will never come. Abandon it and go on; each
    // abandon must make progress (a new result), or the run stops here.
    then: async ({ worker, messages, within }) => {
      for (;;) {
        const done = messages.filter((m) => m.type === 'result').length;
        if (messages.some((m) => m.type === 'end') || done === messages.filter((m) => m.type === 'start').length) break;
        await within(worker.evaluate('laneAbandon()'));
        if (messages.filter((m) => m.type === 'result').length === done) break;
      }
    },
  });
  const runMs = Date.now() - t1;
  const results = messages.filter((m) => m.type === 'result');
  const started = messages.filter((m) => m.type === 'start').map((m) => m.name);
  const unfinished = started.filter((name) => !results.some((r) => r.name === name));
  const frozen = messages.find((m) => m.type === 'frozen');
  const ended = messages.some((m) => m.type === 'end');
  const ok = error === undefined && ended && results.every((r) => r.ok);
  return { id: variant.id, title: variant.title, ok, error, ended, frozen, results, unfinished, modules, bundleMs, runMs };
}

export async function runLane() {
  const t0 = Date.now();
  const variants = await Promise.all(VARIANTS.map(runVariant));
  return { ok: variants.every((v) => v.ok), wallMs: Date.now() - t0, variants };
}

/** @param {Awaited<ReturnType<typeof runLane>>} report */
function printReport(report) {
  let passed = 0;
  let failed = 0;
  for (const v of report.variants) {
    console.log(`\n${v.title}`);
    const f = v.frozen;
    if (f) console.log(`  froze ${f.builtins} built-ins and ${f.exports} exports of ${v.modules.length} firmware modules; setImmediate ${f.hasSetImmediate ? 'present' : 'absent'}`);
    for (const r of v.results) {
      console.log(`  ${r.ok ? 'ok  ' : 'FAIL'} ${r.name}  (${grouped(r.compute)} meter units)`);
      if (!r.ok) console.log(`       ${r.error.replace(/\n/g, '\n       ')}`);
      if (r.ok) passed++;
      else failed++;
    }
    for (const name of v.unfinished) {
      console.log(`  FAIL ${name}  (never finished: ${v.error ?? 'the worker went idle with it pending'})`);
      failed++;
    }
    if (v.error) console.log(`  error: ${v.error}`);
    if (!v.ended && !v.error) console.log('  error: the program went idle before running every scenario');
    if (!v.ended && v.unfinished.length === 0) failed++;
    console.log(`  bundle ${v.bundleMs} ms, XS run ${v.runMs} ms`);
  }
  console.log(`\nXS lane: ${report.wallMs} ms`);
  console.log(`${passed} passed, ${failed} failed`);
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const report = await runLane();
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(report)}\n`);
  else printReport(report);
  process.exitCode = report.ok ? 0 : 1;
}
