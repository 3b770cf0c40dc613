/*
 * The core property: random command sequences on one line of a fake interrupt controller (edge or fasteoi
 * flow, lazy or immediate disable, hardware or software resend, EOI before or after the threads), entered
 * through genericHandleIrq, with re-entrant arrivals; every invariant of core-harness.ts after every command.
 */
import fc from 'fast-check';
import { coreScenarioArb, emptyCoreStats, runCoreScenario, type CoreStats } from './core-harness';
import { env, propertyParameters } from './config';

const RUNS = 10_000;
const MAX_COMMANDS = 250;

test(`core: ${RUNS} random command sequences on a fake chip keep every invariant after every step`, async () => {
  const total = emptyCoreStats();
  await fc.assert(
    fc.asyncProperty(coreScenarioArb(MAX_COMMANDS), async (scenario) => {
      const stats = await runCoreScenario(scenario);
      for (const key of Object.keys(total) as (keyof CoreStats)[]) total[key] += stats[key];
    }),
    propertyParameters(RUNS),
  );
  if (env('FC_STATS')) console.log(JSON.stringify(total));
  expect(total.loopReplays).toBeGreaterThan(0);
  expect(total.resends).toBeGreaterThan(0);
  expect(total.reentries).toBeGreaterThan(0);
  expect(total.merged).toBeGreaterThan(0);
}, 600_000);
