/*
 * For the host's type check only (tsconfig.json): the Moddable modules the example apps import, typed by
 * @moddable/typings. Moddable's own tsc, when it compiles an app, gets them from the app manifest's include of
 * $(MODDABLE)/examples/manifest_typings.json instead; no app file references this one.
 */
/// <reference path="../hal/esp32/moddable.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/analog.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/i2c.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/pulsecount.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/pwm.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/serial.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/smbus.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_io/spi.d.ts" />
/// <reference path="../node_modules/@moddable/typings/embedded_provider/builtin.d.ts" />
/// <reference path="../node_modules/@moddable/typings/mc/config.d.ts" />
