/*
 * firmware/app on the simulated ESP32 board through the ECMA-419 fakes (what `npm start` runs): all three
 * drivers work side by side, the expander sharing its open-drain INT line with a second device.
 */
import { startFirmwareBoard } from '../../hal/mock/firmware-board';
import { checkChromeTrace } from '../helpers/chrome-trace';

describe('the firmware on the simulated board', () => {
  test('two virtual seconds of input: every press, sample, expander edge and sensor event is served', async () => {
    const errors: string[] = [];
    const run = await startFirmwareBoard({ log: (level, message) => level === 'error' && errors.push(message) });
    run.feed(2_000_000);
    await run.board.sim.advance(2_100_000);
    const { firmware, counts, devices } = run;
    expect(counts.presses.length).toBe(devices.button.presses);
    expect(counts.presses.length).toBeGreaterThanOrEqual(2);
    expect(counts.samples).toBeGreaterThanOrEqual(200);
    expect(firmware.accel!.overruns).toBe(0);
    expect(counts.sensorValues).toBe(devices.sensor.eventsRaised);
    expect(counts.expanderPins).toBeGreaterThan(0);
    expect(firmware.core.procInterrupts()).toMatch(/mcp23017, sensor/);
    expect(firmware.core.procInterrupts()).toMatch(/ERR:\s+0/);
    expect(errors).toEqual([]);
  });

  test('each button press reports the time it settled (its last bounce plus the debounce period), not the time the thread ran', async () => {
    const run = await startFirmwareBoard();
    const { sim } = run.board;
    const contact = run.devices.button;
    const at = sim.now() + 1_000;
    sim.at(at, () => contact.click(200_000));
    await sim.advance(300_000);
    expect(run.counts.presses).toEqual([{ timeUs: at + contact.bounceUs + run.firmware.button.debounceUs, seqno: 1, missed: 0 }]);
    // The GPIO chip swallowed the bounces: the transitions but the press's and the release's settled one, less
    // those DigitalBank merged into one bit before it delivered them (its message latency here is 20 µs).
    const { bounces } = run.firmware.gpio.pinInfo(run.pins.button);
    expect(bounces).toBeGreaterThan(0);
    expect(bounces).toBeLessThanOrEqual(contact.transitions - 2);
  });

  test('with tracing on, the run exports a Chrome trace that passes the format checks', async () => {
    const run = await startFirmwareBoard({ core: { trace: { capacity: 50_000 }, stats: true } });
    run.feed(1_000_000);
    await run.board.sim.advance(1_000_000);
    const trace = run.firmware.core.irqTraceChrome('test');
    checkChromeTrace(trace);
    const tracks = trace.traceEvents.filter((e) => e.name === 'thread_name').map((e) => String(e.args!.name));
    expect(tracks).toEqual(expect.arrayContaining(['hardirq', expect.stringMatching(/-lis3dh$/), expect.stringMatching(/-mcp23017$/)]));
    expect(run.firmware.core.irqLatency(run.firmware.accel!.irq)!.edgeToThread.count).toBeGreaterThan(0);
  });
});
