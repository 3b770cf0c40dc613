import { type Level, Net } from '../../hal/mock/wire';

describe('Net', () => {
  test('a pull-up reads 1 and a pull-down reads 0 when nobody drives', () => {
    expect(new Net('up', { pull: 'up' }).level()).toBe(1);
    expect(new Net('down', { pull: 'down' }).level()).toBe(0);
  });

  test('a push-pull driver sets the level, and releasing it hands the net back to the pull', () => {
    const net = new Net('gpio4', { pull: 'down' });
    const out = net.pushPull('mcu');
    out.drive(1);
    expect(net.level()).toBe(1);
    out.release();
    expect(net.level()).toBe(0);
    expect(out.driving).toBeUndefined();
  });

  test('open-drain drivers make a wired-OR: the line stays low until every device releases', () => {
    const net = new Net('int', { pull: 'up' });
    const a = net.openDrain('sensorA');
    const b = net.openDrain('sensorB');
    a.assert();
    b.assert();
    expect(net.level()).toBe(0);
    a.release();
    expect(net.level()).toBe(0);
    b.release();
    expect(net.level()).toBe(1);
  });

  test('two push-pull drivers that disagree count one contention and the net reads 0', () => {
    const net = new Net('bus');
    const a = net.pushPull('a');
    const b = net.pushPull('b');
    a.drive(1);
    b.drive(0);
    expect(net.level()).toBe(0);
    expect(net.contention).toBe(true);
    b.drive(0);
    a.drive(1);
    expect(net.contentions).toBe(1);
    b.drive(1);
    expect(net.contention).toBe(false);
    expect(net.level()).toBe(1);
    b.drive(0);
    expect(net.contentions).toBe(2);
  });

  test('a push-pull 1 against an asserted open-drain is contention, and the open-drain low wins', () => {
    const net = new Net('int', { pull: 'up' });
    net.openDrain('sensor').assert();
    net.pushPull('mcu').drive(1);
    expect(net.level()).toBe(0);
    expect(net.contentions).toBe(1);
    expect(net.drivenBy()).toEqual(['mcu:1', 'sensor:od']);
  });

  test('a net nobody drives or pulls floats, keeping its last level', () => {
    const net = new Net('pad');
    const out = net.pushPull('mcu');
    out.drive(1);
    expect(net.floating).toBe(false);
    out.release();
    expect(net.floating).toBe(true);
    expect(net.level()).toBe(1);
    net.setPull('down');
    expect(net.floating).toBe(false);
    expect(net.level()).toBe(0);
  });

  test('onChange fires only when the resolved level changes, until unsubscribed', () => {
    const net = new Net('int', { pull: 'up' });
    const seen: Level[] = [];
    const unsubscribe = net.onChange((level) => seen.push(level));
    const a = net.openDrain('a');
    const b = net.openDrain('b');
    a.assert();
    b.assert(); // already low
    a.release(); // b still holds it
    b.release();
    net.setPull('up'); // no change
    unsubscribe();
    a.assert();
    expect(seen).toEqual([0, 1]);
  });

  test('a listener that changes the net: every listener still sees every level, in order', () => {
    const net = new Net('relay', { pull: 'down' });
    const driver = net.pushPull('driver');
    const order: string[] = [];
    net.onChange((level) => {
      order.push(`A${level}`);
      if (level === 1) driver.drive(0);
    });
    net.onChange((level) => order.push(`B${level}`));
    driver.drive(1);
    expect(order).toEqual(['A1', 'B1', 'A0', 'B0']);
    expect(net.level()).toBe(0);
  });
});
