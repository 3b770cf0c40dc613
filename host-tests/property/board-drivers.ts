/*
 * The drivers the board property requests: small, correct drivers in six modes, as a driver author writes them
 * (board-model.ts's Mode). Sensor drivers enable their device's INT after requesting and disable it before
 * freeing, as Linux drivers do; a non-oneshot threaded sensor driver silences the device in its primary
 * handler and enables it again in its thread. So a level line never storms unless a layer below is wrong.
 *
 * Each handler reports to the harness (DriverHooks) when it runs, so the invariants that must hold inside a
 * handler (no primary while disabled or after freeIrq, a oneshot level line masked inside its thread) are
 * checked there.
 */
import { IRQ_HANDLED, IRQ_NONE, IRQ_WAKE_THREAD, type IrqHandler, type IrqThreadFn } from '../../firmware/irq';
import { LevelSensor, SENSOR_CTRL, SENSOR_STATUS } from '../../hal/mock/devices';
import type { I2cBus } from '../../hal/mock/i2c';
import type { Simulator } from '../../hal/mock/sim';
import { sleep } from '../helpers/threads';
import type { ActionModel } from './board-model';

export interface DriverHooks {
  /** The primary handler of `rec` runs (before it looks at its device). */
  primaryRan(rec: ActionModel): void;
  /** A thread function of `rec` starts or finishes. */
  threadRan(rec: ActionModel, when: 'started' | 'finished'): void;
}

export interface DriverEnv {
  readonly sim: Simulator;
  readonly i2c: I2cBus;
  readonly hooks: DriverHooks;
}

export interface Driver {
  readonly handler: IrqHandler | null;
  readonly threadFn: IrqThreadFn | null;
}

/** The STATUS read that acknowledges a sensor's events (and releases its INT), synchronously over the bus model. */
export function readStatus(sensor: LevelSensor): number {
  sensor.write([SENSOR_STATUS]);
  return sensor.read(1)[0];
}

export function setDeviceInt(sensor: LevelSensor, on: boolean): void {
  sensor.write([SENSOR_CTRL, on ? 1 : 0]);
}

function primaryFor(env: DriverEnv, rec: ActionModel, sensor: LevelSensor | undefined): IrqHandler | null {
  if (rec.mode === 'thread-only') return null;
  const threaded = rec.mode !== 'primary';
  if (sensor === undefined) {
    return () => {
      env.hooks.primaryRan(rec);
      return threaded ? IRQ_WAKE_THREAD : IRQ_HANDLED;
    };
  }
  return () => {
    env.hooks.primaryRan(rec);
    if (!sensor.interruptAsserted) return IRQ_NONE;
    if (!threaded) return readStatus(sensor) !== 0 ? IRQ_HANDLED : IRQ_NONE;
    if (!rec.oneshot) setDeviceInt(sensor, false); // silence the device until the thread has read it
    return IRQ_WAKE_THREAD;
  };
}

function threadFor(env: DriverEnv, rec: ActionModel, sensor: LevelSensor | undefined, sleepUs: number): IrqThreadFn | null {
  const { hooks } = env;
  /** The end of a sensor thread's work: re-enable what the primary silenced, unless the driver is going away. */
  const finish = (status: number): number => {
    if (sensor !== undefined && !rec.oneshot && !rec.freeCalled) setDeviceInt(sensor, true);
    hooks.threadRan(rec, 'finished');
    return status !== 0 ? IRQ_HANDLED : IRQ_NONE;
  };
  switch (rec.mode) {
    case 'primary':
      return null;
    case 'thread':
      return () => {
        hooks.threadRan(rec, 'started');
        return finish(sensor !== undefined ? readStatus(sensor) : 1);
      };
    case 'thread-async':
    case 'thread-only':
      return async () => {
        hooks.threadRan(rec, 'started');
        let status = 1;
        if (sensor !== undefined) status = await env.i2c.readRegister(sensor.address, SENSOR_STATUS);
        else await sleep(env.sim, sleepUs);
        return finish(status);
      };
    case 'thread-fail':
      return () => {
        hooks.threadRan(rec, 'started');
        throw new Error(`${rec.name} fails`);
      };
    case 'thread-hang':
      return () => {
        hooks.threadRan(rec, 'started');
        return new Promise<number>(() => {});
      };
  }
}

/** The handler and thread function of the driver behind `rec` (`sensor`: its device on a level line). */
export function makeDriver(env: DriverEnv, rec: ActionModel, sensor: LevelSensor | undefined, sleepUs: number): Driver {
  return { handler: primaryFor(env, rec, sensor), threadFn: threadFor(env, rec, sensor, sleepUs) };
}
