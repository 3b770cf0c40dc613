/*
 * The shared scenarios (host-tests/scenarios/) on Node. The XS lane (host-tests/xs/xs-lane.test.ts) runs the
 * same list inside the XS engine.
 */
import { runScenario, scenarios } from './scenarios';

test('scenario names are unique', () => {
  expect(new Set(scenarios.map((s) => s.name)).size).toBe(scenarios.length);
});

test.each(scenarios.map((s) => [s.name, s] as const))('%s', async (_name, scenario) => {
  await runScenario(scenario);
}, 60_000);
