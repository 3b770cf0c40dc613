/*
 * `npm start -- --trace FILE` writes a trace of the demo run that Perfetto opens: run the demo as the user
 * does, and check the file against the Trace Event Format.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ChromeTrace } from '../../firmware/irq';
import { checkChromeTrace } from '../helpers/chrome-trace';

test('npm start -- --trace FILE writes a Chrome trace of the demo with a track per irq thread', () => {
  const file = 'build/out/demo-trace.test.json';
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'hal/mock/demo.ts', '--trace', file, '--seconds', '1'], { encoding: 'utf8', timeout: 60_000 });
  expect(out).toMatch(/\/proc\/interrupts/);
  expect(out).toMatch(new RegExp(`events written to ${file}`));
  const trace = JSON.parse(readFileSync(file, 'utf8')) as ChromeTrace;
  checkChromeTrace(trace);
  const tracks = trace.traceEvents.filter((e) => e.name === 'thread_name').map((e) => String(e.args!.name));
  expect(tracks).toEqual(expect.arrayContaining(['hardirq', expect.stringMatching(/^irq\/\d+-button$/), expect.stringMatching(/^irq\/\d+-lis3dh$/)]));
  expect(trace.traceEvents.some((e) => e.ph === 'X' && e.cat === 'hardirq' && e.args!.action === 'mcp23017')).toBe(true);
});
