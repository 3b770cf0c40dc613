/*
 * The board property: random command sequences over edge and level lines of the simulated board (shared
 * lines, primary-only and threaded actions, oneshot, invalid requests, frees awaited later, nested and
 * unbalanced disables and enables, type and wake changes, edges, sensor events, virtual time), every
 * invariant of board-harness.ts checked after every command and at the end.
 */
import fc from 'fast-check';
import { emptyStats, runBoardSequence, sequenceArb, type RunStats } from './board-harness';
import { env, propertyParameters } from './config';

const RUNS = 10_000;
const MAX_COMMANDS = 400;

test(`board: ${RUNS} random command sequences keep every invariant after every step`, async () => {
  const total = emptyStats();
  await fc.assert(
    fc.asyncProperty(sequenceArb(MAX_COMMANDS), async (cmds) => {
      const stats: RunStats = await runBoardSequence(cmds);
      for (const key of Object.keys(total) as (keyof RunStats)[]) total[key] += stats[key];
    }),
    propertyParameters(RUNS),
  );
  if (env('FC_STATS')) console.log(JSON.stringify(total));
  // The sequences did reach what the invariants are about.
  expect(total.edges).toBeGreaterThan(0);
  expect(total.coalesced).toBeGreaterThan(0);
  expect(total.typeDropped).toBeGreaterThan(0);
  expect(total.resends).toBeGreaterThan(0);
  expect(total.threadRuns).toBeGreaterThan(0);
  expect(total.invalidRequests).toBeGreaterThan(0);
  expect(total.coreDisables).toBeGreaterThan(0);
}, 600_000);
