/*
 * The host fakes of Moddable's ECMA-419 Digital and DigitalBank (hal/mock/ecma419/), against what
 * modules/io/digital/esp32/digitalbank.c and digital.js do.
 *
 * The fakes sit on the simulated GPIO peripheral through ESP-IDF's ISR service: an edge latches the pin's
 * status bit, and the CPU runs the ISR (digitalISR, which posts to the message queue) in a simulator job of its
 * own, so a test lets that job run (`await sim.advance(0)`) before it looks at the queue or the post counts.
 * onReadable runs `latencyUs` after the post, charged the board's hardirq CPU cost (sim.cpu.hardirqUs) first.
 */
import { SimBoard } from '../../hal/mock/board';
import { createFakeDigitalIo } from '../../hal/mock/ecma419/digital';

function makeIo(latencyUs = 0) {
  const board = new SimBoard({ seed: 1 });
  const io = createFakeDigitalIo(board, { latencyUs });
  return { board, sim: board.sim, io, DigitalBank: io.DigitalBank, Digital: io.Digital };
}

/** A 1-deep queue, 1 ms latency, and a rising-edge bank each on GPIO4 (driver a) and GPIO5 (driver b), both low. */
function twoRisingBanks() {
  const board = new SimBoard({ seed: 1 });
  const io = createFakeDigitalIo(board, { latencyUs: 1_000, queueLength: 1 });
  const { DigitalBank } = io;
  const a = board.pin(4).pushPull('a');
  const b = board.pin(5).pushPull('b');
  a.drive(0);
  b.drive(0);
  const bankA = new DigitalBank({ pins: 1 << 4, mode: DigitalBank.Input, rises: 1 << 4, onReadable: () => {} });
  const bankB = new DigitalBank({ pins: 1 << 5, mode: DigitalBank.Input, rises: 1 << 5, onReadable: () => {} });
  return { board, io, a, b, bankA, bankB };
}

describe('fake DigitalBank', () => {
  test('mode constants are static properties with Moddable\'s values', () => {
    const { DigitalBank, Digital } = makeIo();
    expect([DigitalBank.Input, DigitalBank.InputPullUp, DigitalBank.InputPullDown, DigitalBank.InputPullUpDown, DigitalBank.Output, DigitalBank.OutputOpenDrain])
      .toEqual([0, 1, 2, 3, 8, 9]);
    expect([Digital.Input, Digital.Output, Digital.Rising, Digital.Falling]).toEqual([0, 8, 1, 2]);
  });

  test('bad pins are Error "invalid pin": none, a GPIO the ESP32 lacks, a bit past GPIO39; a bad bank is "invalid bank"', () => {
    const { DigitalBank } = makeIo();
    expect(() => new DigitalBank({ pins: 0, mode: DigitalBank.Input })).toThrow(new Error('invalid pin'));
    expect(() => new DigitalBank({ pins: 1 << 20, mode: DigitalBank.Input })).toThrow('invalid pin');
    expect(() => new DigitalBank({ pins: 1 << 8, bank: 1, mode: DigitalBank.Input })).toThrow('invalid pin');
    expect(() => new DigitalBank({ pins: 1, bank: 2, mode: DigitalBank.Input })).toThrow('invalid bank');
  });

  test('a pin already open elsewhere is Error "in use" until that object is closed', () => {
    const { DigitalBank, io } = makeIo();
    const a = new DigitalBank({ pins: 0b1100, mode: DigitalBank.Input });
    expect(io.pinsInUse(0)).toBe(0b1100);
    expect(() => new DigitalBank({ pins: 0b0100, mode: DigitalBank.Input })).toThrow('in use');
    a.close();
    expect(io.pinsInUse(0)).toBe(0);
    expect(() => new DigitalBank({ pins: 0b0100, mode: DigitalBank.Input }).close()).not.toThrow();
  });

  test('a missing mode is Error "invalid", an unknown one RangeError "invalid mode"', () => {
    const { DigitalBank } = makeIo();
    expect(() => new DigitalBank({ pins: 1, mode: undefined })).toThrow(new Error('invalid'));
    expect(() => new DigitalBank({ pins: 1, mode: 5 })).toThrow(RangeError);
    expect(() => new DigitalBank({ pins: 1, mode: 5 })).toThrow('invalid mode');
  });

  test('onReadable without rises or falls (within pins) is RangeError "invalid edges"', () => {
    const { DigitalBank } = makeIo();
    const onReadable = (): void => {};
    expect(() => new DigitalBank({ pins: 1, mode: DigitalBank.Input, onReadable })).toThrow(new RangeError('invalid edges'));
    expect(() => new DigitalBank({ pins: 1, mode: DigitalBank.Input, rises: 2, onReadable })).toThrow('invalid edges');
  });

  test('an output on an input-only GPIO (34-39) is RangeError "input only"; a bad format RangeError "invalid format"', () => {
    const { DigitalBank } = makeIo();
    expect(() => new DigitalBank({ pins: 1 << 2, bank: 1, mode: DigitalBank.Output })).toThrow(new RangeError('input only'));
    expect(() => new DigitalBank({ pins: 1, mode: DigitalBank.Input, format: 'buffer' as 'number' })).toThrow('invalid format');
    const bank = new DigitalBank({ pins: 1, mode: DigitalBank.Input });
    expect(bank.format).toBe('number');
    expect(() => {
      (bank as { format: string }).format = 'buffer';
    }).toThrow(RangeError);
  });

  test('read on an output is Error "can\'t read output", write on an input Error "can\'t write input"', () => {
    const { DigitalBank } = makeIo();
    const input = new DigitalBank({ pins: 1, mode: DigitalBank.Input });
    const output = new DigitalBank({ pins: 2, mode: DigitalBank.Output });
    expect(() => input.write(1)).toThrow(new Error("can't write input"));
    expect(() => output.read()).toThrow(new Error("can't read output"));
  });

  test('a closed object throws on read and write; closing again does nothing', () => {
    const { DigitalBank } = makeIo();
    const input = new DigitalBank({ pins: 1, mode: DigitalBank.Input });
    input.close();
    expect(() => input.read()).toThrow(/xsGetHostData: invalid/);
    expect(() => input.write(0)).toThrow(/xsGetHostData: invalid/);
    expect(() => input.close()).not.toThrow();
  });

  test('read gives the levels of the bank\'s pins only; write drives push-pull and open-drain outputs', () => {
    const { board, DigitalBank } = makeIo();
    board.pin(4).pushPull('ext').drive(1);
    board.pin(5).pushPull('ext').drive(1);
    const input = new DigitalBank({ pins: (1 << 4) | (1 << 6), mode: DigitalBank.Input });
    expect(input.read()).toBe(1 << 4);
    const out = new DigitalBank({ pins: (1 << 12) | (1 << 13), mode: DigitalBank.Output });
    expect([board.pin(12).level(), board.pin(13).level()]).toEqual([0, 0]); // outputs start low
    out.write((1 << 13) | 1);
    expect([board.pin(12).level(), board.pin(13).level()]).toEqual([0, 1]);
    board.pin(14).setPull('up');
    const od = new DigitalBank({ pins: 1 << 14, mode: DigitalBank.OutputOpenDrain });
    expect(board.pin(14).level()).toBe(0);
    od.write(~0);
    expect(board.pin(14).level()).toBe(1);
    out.close();
    od.close();
    expect(board.pin(13).drivenBy()).toEqual([]);
  });

  test('pull modes set the pad\'s pull while open (none on GPIO 34-39) and restore it on close', () => {
    const { board, DigitalBank } = makeIo();
    const up = new DigitalBank({ pins: 1 << 16, mode: DigitalBank.InputPullUp });
    expect(board.pin(16).pull).toBe('up');
    up.close();
    expect(board.pin(16).pull).toBe('none');
    new DigitalBank({ pins: 1 << 3, bank: 1, mode: DigitalBank.InputPullDown });
    expect(board.pin(35).pull).toBe('none');
  });

  test('onReadable gets one bit mask per delivery, with this the bank; edges before the delivery merge per pin', async () => {
    const { board, sim, io, DigitalBank } = makeIo(50);
    const a = board.pin(4).pushPull('a');
    const b = board.pin(5).pushPull('b');
    a.drive(0);
    b.drive(0);
    const calls: { mask: number; self: unknown; at: number }[] = [];
    const bank = new DigitalBank({
      pins: (1 << 4) | (1 << 5), mode: DigitalBank.Input, rises: (1 << 4) | (1 << 5), falls: 1 << 4,
      onReadable(mask: number) {
        calls.push({ mask, self: this, at: sim.now() });
      },
    });
    a.drive(1);
    await sim.advance(10);
    b.drive(1);
    a.drive(0);
    await sim.advance(100);
    expect(calls).toEqual([{ mask: (1 << 4) | (1 << 5), self: bank, at: 50 + sim.cpu.hardirqUs }]);
    expect(io.stats).toMatchObject({ edges: 3, coalesced: 1, deliveries: 1 });
    expect(io.coalesced(4)).toBe(1);
    b.drive(0); // pin 5 has no falls
    await sim.advance(100);
    expect(calls.length).toBe(1);
  });

  test('a delivery still queued when the bank is closed is cancelled: no callback after close', async () => {
    const { board, sim, io, DigitalBank } = makeIo(50);
    const a = board.pin(4).pushPull('a');
    a.drive(0);
    let calls = 0;
    const bank = new DigitalBank({ pins: 1 << 4, mode: DigitalBank.Input, rises: 1 << 4, onReadable: () => void calls++ });
    a.drive(1);
    await sim.advance(0); // the ISR posts
    expect(io.queue.length).toBe(1);
    bank.close();
    await sim.advance(100);
    expect(calls).toBe(0);
    expect(io.stats.cancelled).toBe(1);
  });

  test('an edge latched but not yet serviced when the bank is closed is dropped: gpio_reset_pin clears it', async () => {
    const { board, sim, io, DigitalBank } = makeIo(50);
    const a = board.pin(4).pushPull('a');
    a.drive(0);
    let calls = 0;
    const bank = new DigitalBank({ pins: 1 << 4, mode: DigitalBank.Input, rises: 1 << 4, onReadable: () => void calls++ });
    a.drive(1);
    expect(board.gpio.readStatus(0)).toBe(1 << 4);
    bank.close();
    expect(board.gpio.readStatus(0)).toBe(0);
    expect(board.gpio.intEnabled(4)).toBe(false);
    await sim.advance(100);
    expect(calls).toBe(0);
    expect(io.stats).toMatchObject({ edges: 0, cancelled: 0, deliveries: 0 });
  });
});

describe('fake Digital', () => {
  test('a missing pin is Error "invalid"; GPIO 40 is "invalid pin"; onReadable without edge is "invalid edges"', () => {
    const { Digital } = makeIo();
    expect(() => new Digital({ pin: undefined as unknown as number, mode: Digital.Input })).toThrow(new Error('invalid'));
    expect(() => new Digital({ pin: 40, mode: Digital.Input })).toThrow('invalid pin');
    expect(() => new Digital({ pin: 4, mode: Digital.Input, onReadable: () => {} })).toThrow('invalid edges');
  });

  test('a pin on bank 1 reads 0 or 1 and calls onReadable on its edge', async () => {
    const { board, sim, Digital } = makeIo();
    const ext = board.pin(36).pushPull('ext');
    ext.drive(0);
    const seen: number[] = [];
    const input = new Digital({
      pin: 36, mode: Digital.Input, edge: Digital.Rising | Digital.Falling,
      onReadable(this: { read(): number }) {
        seen.push(this.read());
      },
    });
    ext.drive(1);
    await sim.advance(10);
    ext.drive(0);
    await sim.advance(10);
    expect(seen).toEqual([1, 0]);
    expect(input.read()).toBe(0);
  });

  test('write drives the pin from the truth of its value', () => {
    const { board, Digital } = makeIo();
    const led = new Digital({ pin: 2, mode: Digital.Output });
    led.write(5);
    expect(board.pin(2).level()).toBe(1);
    led.write(0);
    expect(board.pin(2).level()).toBe(0);
  });
});

describe('fake DigitalBank: as strict as digitalbank.c', () => {
  test('onReadable is taken from the options only: a subclass method is never called and arms nothing', async () => {
    const { board, sim, DigitalBank } = makeIo();
    const ext = board.pin(4).pushPull('ext');
    ext.drive(0);
    let calls = 0;
    class Sub extends DigitalBank {
      onReadable(): void {
        calls++;
      }
    }
    // Without an onReadable in the options there is no callback, so rises are not even checked.
    const bank = new Sub({ pins: 1 << 4, mode: DigitalBank.Input, rises: 1 << 4 });
    ext.drive(1);
    await sim.advance(10);
    expect(calls).toBe(0);
    bank.close();
  });

  test('an onReadable that is not a function is Error "not a function"; null is none', () => {
    const { DigitalBank } = makeIo();
    const bad = { pins: 1, mode: DigitalBank.Input, rises: 1, onReadable: 5 as unknown as () => void };
    expect(() => new DigitalBank(bad)).toThrow(new Error('not a function'));
    expect(() => new DigitalBank({ pins: 1, mode: DigitalBank.Input, onReadable: null as unknown as () => void }).close()).not.toThrow();
  });

  test('DigitalBank.ActiveLow is 16, and a mode carrying it is RangeError "invalid mode" on the ESP32', () => {
    const { DigitalBank, Digital } = makeIo();
    expect([DigitalBank.ActiveLow, Digital.ActiveLow]).toEqual([16, 16]);
    expect(() => new DigitalBank({ pins: 1, mode: DigitalBank.Input | DigitalBank.ActiveLow })).toThrow(new RangeError('invalid mode'));
  });

  test('the activeLow option inverts read and write and swaps rises and falls', async () => {
    const { board, sim, DigitalBank } = makeIo();
    const ext = board.pin(4).pushPull('ext');
    ext.drive(1);
    const masks: number[] = [];
    const input = new DigitalBank({ pins: 1 << 4, mode: DigitalBank.Input, activeLow: true, rises: 1 << 4, onReadable: (m) => void masks.push(m) });
    expect(input.read()).toBe(0); // high is inactive
    ext.drive(0); // becomes active: a "rise"
    await sim.advance(10);
    expect(masks).toEqual([1 << 4]);
    ext.drive(1);
    await sim.advance(10);
    expect(masks).toEqual([1 << 4]);
    const out = new DigitalBank({ pins: 1 << 12, mode: DigitalBank.Output, activeLow: true, initialValue: 0 });
    expect(board.pin(12).level()).toBe(1); // initialValue 0 is inactive: high
    out.write(1 << 12);
    expect(board.pin(12).level()).toBe(0);
  });

  test('a delivery sits in the message queue until the JavaScript thread runs it', async () => {
    const { board, sim, io, DigitalBank } = makeIo(100);
    const ext = board.pin(4).pushPull('ext');
    ext.drive(0);
    new DigitalBank({ pins: 1 << 4, mode: DigitalBank.Input, rises: 1 << 4, onReadable: () => {} });
    ext.drive(1);
    expect(io.queue.length).toBe(0); // the ISR has not run yet
    await sim.advance(0);
    expect(io.queue.length).toBe(1);
    await sim.advance(100);
    expect(io.queue.length).toBe(0);
    expect(io.queue.capacity).toBe(10); // MODDEF_TASK_QUEUELENGTH's default
  });

  test('a full message queue drops the post and the bank goes silent', async () => {
    const board = new SimBoard({ seed: 1 });
    const io = createFakeDigitalIo(board, { latencyUs: 1_000, queueLength: 2 });
    const { DigitalBank } = io;
    const calls: number[] = [];
    const drivers = [4, 5, 12].map((gpio) => {
      const d = board.pin(gpio).pushPull('ext');
      d.drive(0);
      new DigitalBank({ pins: 1 << gpio, mode: DigitalBank.Input, rises: 1 << gpio, falls: 1 << gpio, onReadable: () => void calls.push(gpio) });
      return d;
    });
    for (const d of drivers) d.drive(1);
    await board.sim.advance(0); // one ISR run, three posts, room for two
    expect(io.stats.postFailures).toBe(1);
    expect(io.silentBanks()).toBe(1);
    await board.sim.advance(2_000);
    expect(calls).toEqual([4, 5]);
    // GPIO12's bank has `triggered` set for good: no edge of it is ever delivered again.
    for (let i = 0; i < 4; i++) {
      drivers[2].drive(i & 1 ? 1 : 0);
      await board.sim.advance(2_000);
    }
    expect(calls).toEqual([4, 5]);
    expect(io.stats.silenced).toBe(4);
    expect(io.queue.failed).toBe(1);
  });

  test('a closed bank\'s queued message keeps its queue slot until the JavaScript thread reaches it', async () => {
    const { board, io, a, b, bankA } = twoRisingBanks();
    a.drive(1);
    await board.sim.advance(0);
    bankA.close();
    b.drive(1);
    await board.sim.advance(0); // the queue still holds A's dead message
    expect(io.stats).toMatchObject({ cancelled: 1, postFailures: 1 });
    await board.sim.advance(2_000);
    expect(io.queue.length).toBe(0);
  });

  test('a bank closed after a failed post leaks its native record (useCount never reaches 0)', async () => {
    const { board, io, a, b, bankB } = twoRisingBanks();
    a.drive(1);
    b.drive(1);
    await board.sim.advance(0); // one ISR run: A's post fills the queue, B's fails
    expect(io.stats.postFailures).toBe(1);
    bankB.close();
    expect(io.stats.leakedRecords).toBe(1);
  });
});
