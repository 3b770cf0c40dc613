/*
 * The native GPIO module's C built for the host (hal/mock/native/gpio-irq-host.ts) on the simulated board,
 * through the native chip (hal/esp32/native-gpio.ts): how many interrupts per second of wall time the host build
 * carries from the peripheral's edge through the C ISR, the ring and the post to the handler; the edge-to-thread
 * latency the core measures from the ISR's times, in virtual µs; and what the ring does under a storm.
 */
import { IRQ_HANDLED, IRQF_ONESHOT, IRQF_TRIGGER_LOW, IRQF_TRIGGER_RISING } from '../firmware/irq';
import { PulseGenerator } from '../hal/mock/devices';
import { bootNativeSimBoard } from '../hal/mock/native/boot';

const PIN = 4;
const SENSOR_PIN = 13;

export interface NativeRate {
  interrupts: number;
  seconds: number;
  perSecond: number;
}

/**
 * Interrupts per wall-clock second: a rising-edge line with a primary handler, pulsed every 100 virtual µs
 * (each pulse handled before the next), n pulses.
 */
export async function nativeHostRate(n = 20_000): Promise<NativeRate> {
  const s = bootNativeSimBoard({ seed: 1 });
  let handled = 0;
  s.core.requestIrq(s.gpioToIrq(PIN), () => (handled++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'rate', {});
  const pulses = new PulseGenerator(s.sim, s.pin(PIN), { periodUs: 100, widthUs: 10, count: n, name: 'rate' });
  const start = process.hrtime.bigint();
  pulses.start();
  await s.sim.advance(n * 100 + 1_000);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (handled !== n) throw new Error(`bench native: ${handled} of ${n} pulses handled`);
  return { interrupts: n, seconds, perSecond: n / seconds };
}

export interface NativeLatency {
  samples: number;
  edgeToHardirqP50Us: number;
  edgeToHardirqMaxUs: number;
  edgeToThreadP50Us: number;
  edgeToThreadP99Us: number;
  edgeToThreadMaxUs: number;
}

/**
 * A device's level-low INT every 1 ms, served by a oneshot thread that releases it: edge (the ISR's time) to
 * hardirq and to thread start, with the board's CPU costs and a 50 µs message latency.
 */
export async function nativeLatency(events = 2_000): Promise<NativeLatency> {
  const s = bootNativeSimBoard({ seed: 1, latencyUs: 50, core: { stats: true } });
  const net = s.pin(SENSOR_PIN);
  net.setPull('up');
  const device = net.openDrain('sensor INT');
  const irq = s.gpioToIrq(SENSOR_PIN);
  let served = 0;
  s.core.requestThreadedIrq(irq, null, () => (served++, device.release(), IRQ_HANDLED), IRQF_TRIGGER_LOW | IRQF_ONESHOT, 'sensor', {});
  for (let i = 0; i < events; i++) {
    device.assert();
    await s.sim.advance(1_000);
  }
  if (served !== events) throw new Error(`bench native: ${served} of ${events} INTs served`);
  const latency = s.core.irqLatency(irq);
  if (latency === undefined) throw new Error('bench native: no latency statistics');
  return {
    samples: latency.edgeToThread.count,
    edgeToHardirqP50Us: latency.edgeToHardirq.p50Us,
    edgeToHardirqMaxUs: latency.edgeToHardirq.maxUs,
    edgeToThreadP50Us: latency.edgeToThread.p50Us,
    edgeToThreadP99Us: latency.edgeToThread.p99Us,
    edgeToThreadMaxUs: latency.edgeToThread.maxUs,
  };
}

export interface NativeStorm {
  pulses: number;
  handled: number;
  /** Events the full ring dropped (counted on the line). */
  dropped: number;
  /** Edges merged below the ring: the peripheral's status latch, and latched edges cleared while the pin was masked. */
  mergedBelow: number;
  posts: number;
  postFailures: number;
  /** pulses - handled - dropped - mergedBelow: 0 when nothing was lost unseen. */
  unaccounted: number;
}

/**
 * 5,000 pulses 10 µs apart (a 100 kHz storm) while the JavaScript thread takes 2 ms to get a message: the ring
 * (64 events) overflows; every pulse is handled, dropped and counted, or merged below it.
 */
export async function nativeStorm(count = 5_000): Promise<NativeStorm> {
  const s = bootNativeSimBoard({ seed: 1, latencyUs: 2_000, core: { storm: false } });
  let handled = 0;
  s.core.requestIrq(s.gpioToIrq(PIN), () => (handled++, IRQ_HANDLED), IRQF_TRIGGER_RISING, 'storm', {});
  const pulses = new PulseGenerator(s.sim, s.pin(PIN), { periodUs: 10, widthUs: 4, count, name: 'storm' });
  pulses.start();
  await s.sim.advance(count * 10 + 50_000);
  const native = s.gpio.nativeCounters();
  const dropped = s.gpio.pinInfo(PIN).dropped;
  const mergedBelow = s.board.gpio.coalesced(PIN) + s.board.gpio.discarded(PIN);
  return {
    pulses: pulses.pulses, handled, dropped, mergedBelow, posts: native.posts, postFailures: native.postFailures,
    unaccounted: pulses.pulses - handled - dropped - mergedBelow,
  };
}
