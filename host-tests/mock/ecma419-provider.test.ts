/*
 * The fakes of `embedded:provider/builtin` (hal/mock/ecma419/provider.ts): the plain esp32 platform's provider
 * (modules/io/host/esp32/provider.js) and a board subplatform's (build/devices/esp32/targets/<board>/host/provider.js).
 */
import { SimBoard } from '../../hal/mock/board';
import { createFakeProvider } from '../../hal/mock/ecma419/provider';

describe('fake host providers', () => {
  test('the plain esp32 provider has no I2C.default: reading it is a TypeError', () => {
    const { device } = createFakeProvider(new SimBoard({ seed: 1 }), { shape: 'esp32' });
    expect(Object.keys(device).sort()).toEqual(['io', 'pin']);
    expect(device.pin).toEqual({});
    expect(() => (device.I2C as unknown as { default: unknown }).default).toThrow(TypeError);
  });

  test('a board provider\'s I2C.default has only io, data and clock: no hz', () => {
    const { device } = createFakeProvider(new SimBoard({ seed: 1 }), { shape: 'board' });
    expect(device.I2C!.default).toEqual({ io: device.io.I2C, data: 21, clock: 22 });
    expect(() => new device.I2C!.default.io({ ...device.I2C!.default, address: 0x18 } as never)).toThrow(new RangeError('invalid hz'));
  });

  test('a board provider names its pins (nodemcu: button 0, led 2) and has no Digital.default', () => {
    const { device } = createFakeProvider(new SimBoard({ seed: 1 }), { shape: 'board' });
    expect(device.pin).toEqual({ button: 0, led: 2 });
    expect('Digital' in device).toBe(false);
  });

  test('one provider\'s fakes share the pin registry: a DigitalBank on an I2C pin is "in use"', () => {
    const { device } = createFakeProvider(new SimBoard({ seed: 1 }), { shape: 'board' });
    const i2c = new device.io.I2C({ ...device.I2C!.default, address: 0x18, hz: 400_000 });
    const { DigitalBank } = device.io;
    expect(() => new DigitalBank({ pins: 1 << 21, mode: DigitalBank.Input })).toThrow(new Error('in use'));
    i2c.close();
    expect(() => new DigitalBank({ pins: 1 << 21, mode: DigitalBank.Input }).close()).not.toThrow();
  });

  test('one provider\'s fakes share one message queue, 10 deep unless told otherwise', () => {
    const a = createFakeProvider(new SimBoard({ seed: 1 }), { shape: 'esp32' });
    const b = createFakeProvider(new SimBoard({ seed: 1 }), { shape: 'esp32', queueLength: 3 });
    expect(a.fakes.queue.capacity).toBe(10);
    expect(a.fakes.digital.queue).toBe(a.fakes.queue);
    expect(b.fakes.queue.capacity).toBe(3);
  });

  test('an edge on a DigitalBank reaches the shared queue once the CPU has run the GPIO ISR, a simulator job later', async () => {
    const board = new SimBoard({ seed: 1 });
    const { device, fakes } = createFakeProvider(board, { shape: 'esp32', latencyUs: 100 });
    const ext = board.pin(4).pushPull('ext');
    ext.drive(0);
    const masks: number[] = [];
    const { DigitalBank } = device.io;
    new DigitalBank({ pins: 1 << 4, mode: DigitalBank.Input, rises: 1 << 4, onReadable: (m: number) => void masks.push(m) });
    ext.drive(1);
    expect(board.gpio.readStatus(0)).toBe(1 << 4); // latched by the peripheral
    expect(fakes.queue.length).toBe(0);
    await board.sim.advance(0); // the ISR: ESP-IDF's service calls digitalISR, which posts
    expect(board.gpio.readStatus(0)).toBe(0);
    expect(fakes.queue.length).toBe(1);
    expect(masks).toEqual([]);
    await board.sim.advance(100);
    expect(masks).toEqual([1 << 4]);
    expect(fakes.queue.length).toBe(0);
  });
});
