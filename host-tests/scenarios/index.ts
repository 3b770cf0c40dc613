/*
 * The shared scenarios: behaviours of the core on the simulated board, through the public API only, written
 * with our own assertions (./assert) so that the same list runs under jest on Node (host-tests/scenarios.test.ts)
 * and inside the XS engine (the XS lane, host-tests/xs/). Add a scenario to a group, or a group here.
 */
import type { Scenario } from './assert';
import { controlScenarios } from './control';
import { edgeScenarios } from './edge';
import { firmwareScenarios } from './firmware';
import { procScenarios } from './proc';
import { spuriousScenarios } from './spurious';
import { threadedScenarios } from './threaded';

export { makeT, runScenario, type Scenario, type T } from './assert';

export const scenarios: readonly Scenario[] = [
  ...edgeScenarios,
  ...threadedScenarios,
  ...controlScenarios,
  ...spuriousScenarios,
  ...procScenarios,
  ...firmwareScenarios,
];
