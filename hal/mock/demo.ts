/*
 * `npm start`: a short run of the simulated board. A bouncing push button on GPIO0 (falling edge, primary
 * handler only) and a level-triggered sensor on GPIO21 behind the I2C bus (threaded, oneshot), then the
 * interrupt table and the thread listing.
 */
import { IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, IRQF_ONESHOT, IRQF_TRIGGER_FALLING, IRQF_TRIGGER_LOW } from '../../firmware/irq';
import { SimBoard } from './board';
import { LevelSensor, PushButton } from './devices';

const SENSOR_ADDRESS = 0x18;
const STATUS = 0x00;
const DATA = 0x01;
const DEBOUNCE_US = 5_000;

async function main(): Promise<void> {
  const board = new SimBoard({ seed: 1 });
  const { sim, core, i2c } = board;
  const ms = (us: number) => (us / 1000).toFixed(3).padStart(9);

  // Push button: the hardirq takes the time of the edge and swallows the bounces that follow it; the
  // thread sleeps out the bounce time and reports a press only if the pin is still low then.
  const button = new PushButton(sim, board.pin(0), { bounces: 4, bounceUs: 3_000 });
  const buttonIrq = board.gpioToIrq(0);
  let edgeAtUs = -Infinity;
  let presses = 0;
  let bounces = 0;
  core.requestThreadedIrq(buttonIrq, () => {
    const now = sim.now();
    if (now - edgeAtUs < DEBOUNCE_US) {
      bounces++;
      return IRQ_HANDLED;
    }
    edgeAtUs = now;
    return IRQ_WAKE_THREAD;
  }, async () => {
    await new Promise<void>((resolve) => sim.after(DEBOUNCE_US, resolve));
    if (board.pin(0).level() !== 0) return IRQ_HANDLED; // a bounce of the release
    presses++;
    console.log(`${ms(sim.now())} ms  button: press #${presses}, edge at ${ms(edgeAtUs).trim()} ms`);
    return IRQ_HANDLED;
  }, IRQF_TRIGGER_FALLING, 'button', button);

  // Sensor: INT held low until STATUS is read over I2C; the oneshot thread keeps the line masked meanwhile.
  const sensor = new LevelSensor(sim, i2c, SENSOR_ADDRESS, board.pin(21));
  const sensorIrq = board.gpioToIrq(21);
  core.requestThreadedIrq(sensorIrq, null, async () => {
    const status = await i2c.readRegister(SENSOR_ADDRESS, STATUS);
    if (status === 0) return IRQ_NONE;
    const sample = await i2c.readRegister(SENSOR_ADDRESS, DATA);
    console.log(`${ms(sim.now())} ms  sensor: status 0x${status.toString(16)} sample ${sample}`);
    return IRQ_HANDLED;
  }, IRQF_ONESHOT | IRQF_TRIGGER_LOW, 'sensor', sensor);

  sim.at(10_000, () => button.click(40_000));
  sim.at(120_000, () => button.click(60_000));
  for (let i = 0; i < 5; i++) sim.at(20_000 + i * 25_000, () => sensor.raise(1, 100 + i));
  await sim.advance(250_000);

  console.log('\n/proc/interrupts');
  console.log(core.procInterrupts());
  console.log('\nthreads');
  for (const t of core.irqThreads()) {
    console.log(`  ${t.name.padEnd(16)} prio ${t.priority} ${t.state.padEnd(8)} wakeups ${t.wakeups} runs ${t.runs} coalesced ${t.coalesced} errors ${t.errors} longest ${t.longestUs} us`);
  }
  console.log(`\nbutton: ${button.presses} presses, ${presses} reported, ${bounces} bounce edges swallowed, ${board.gpio.coalesced(0)} edges merged in hardware`);
  console.log(`sensor: ${sensor.eventsRaised} events raised, ${sensor.eventsCleared} cleared, ${i2c.transfers} I2C transfers`);
}

main().catch((err: unknown) => {
  console.error(err);
  (globalThis as { process?: { exitCode?: number } }).process!.exitCode = 1;
});
