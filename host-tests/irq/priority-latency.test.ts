/*
 * The runner's latency promise, checked in virtual time (deterministic, not a timed test): a priority-90
 * thread woken while priority-10 threads keep the runner busy starts within one budget slice plus one
 * handler run of its interrupt. `npm run bench` prints the same figures over 10,000 wakes.
 */
import { priorityLatency } from '../../bench/threads';

test('a high-priority thread starts within one budget slice plus one handler run while low-priority threads keep the runner busy', async () => {
  const figures = await priorityLatency({ wakes: 500 });
  expect(figures.wakes).toBe(500);
  expect(figures.yields).toBeGreaterThan(0);
  expect(figures.maxUs).toBeLessThanOrEqual(figures.boundUs);
  expect(figures.p50Us).toBeLessThan(figures.maxUs);
});

test('a smaller budget gives a smaller worst case', async () => {
  const wide = await priorityLatency({ wakes: 300, budgetUs: 2000 });
  const narrow = await priorityLatency({ wakes: 300, budgetUs: 250 });
  expect(narrow.maxUs).toBeLessThanOrEqual(narrow.boundUs);
  expect(narrow.maxUs).toBeLessThan(wide.maxUs);
});
