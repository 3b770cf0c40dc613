/*
 * The Moddable SDK's own typings (@moddable/typings, referenced by hal/esp32/moddable.d.ts) must fit what the
 * HAL is given, so that the apps under examples/ pass the real modules without a cast. tsc checks the assignments
 * below; the test only makes jest run the file (the type imports are erased).
 */
import type DigitalBank from 'embedded:io/digitalbank';
import type Digital from 'embedded:io/digital';
import type Time from 'time';
import type Timer from 'timer';
import type { Esp32Io, Esp32PlatformOptions } from '../../hal/esp32';

type Real = { DigitalBank: typeof DigitalBank; Digital: typeof Digital; Time: typeof Time; Timer: typeof Timer };

function asHalInputs(real: Real): [Esp32Io, Esp32PlatformOptions] {
  return [{ DigitalBank: real.DigitalBank, Digital: real.Digital }, { Time: real.Time, Timer: real.Timer }];
}

test("Moddable's embedded:io/digitalbank, digital, time and timer typings fit the HAL's injected shapes", () => {
  expect(typeof asHalInputs).toBe('function');
});
