/*
 * The Moddable SDK modules firmware/main.ts imports, typed by @moddable/typings. Only these files are
 * referenced (hal/esp32/moddable.d.ts says why): the built-in host provider and the io classes it names.
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
