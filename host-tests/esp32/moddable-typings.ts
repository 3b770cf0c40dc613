/*
 * A type-only check, compiled by `npm run typecheck` (tsconfig.json) and never run: the Moddable SDK's own
 * typings (@moddable/typings, referenced by hal/esp32/moddable.d.ts) must fit what the HAL is given, so that the
 * apps under examples/ pass the real modules without a cast.
 *
 * What tsc checks: each `Fits<Hal, Real>` below compiles only if Real (the types of Moddable's
 * embedded:io/digitalbank, embedded:io/digital, time and timer modules) is assignable to Hal (the shape the
 * HAL takes: Esp32Io for new Esp32Gpio, Esp32PlatformOptions for createEsp32Platform). When Moddable's typings
 * and the HAL's injected shapes drift apart, tsc reports the property that no longer fits, here.
 */
import type DigitalBank from 'embedded:io/digitalbank';
import type Digital from 'embedded:io/digital';
import type Time from 'time';
import type Timer from 'timer';
import type { Esp32Io, Esp32PlatformOptions } from '../../hal/esp32';

/** Real, checked against Hal: a type error unless a Real can be passed where a Hal is expected. */
type Fits<Hal, Real extends Hal> = Real;

export type RealIoFitsEsp32Io = Fits<Esp32Io, { DigitalBank: typeof DigitalBank; Digital: typeof Digital }>;
export type RealTimeAndTimerFitEsp32PlatformOptions = Fits<Esp32PlatformOptions, { Time: typeof Time; Timer: typeof Timer }>;
