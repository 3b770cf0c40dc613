/*
 * The Moddable SDK modules the board build imports, typed by @moddable/typings (a devDependency). Only the
 * files needed are referenced: the package's own entry (xs.d.ts, mcpack.d.ts) declares globals that do not
 * belong in this project's ES2022 + jest type environment. Note that its digitalbank.d.ts has no `rises`
 * and `falls`; hal/esp32/io-types.ts declares the option bag the ESP32 port actually reads.
 */
/// <reference path="../../node_modules/@moddable/typings/embedded_io/_common.d.ts" />
/// <reference path="../../node_modules/@moddable/typings/embedded_io/digital.d.ts" />
/// <reference path="../../node_modules/@moddable/typings/embedded_io/digitalbank.d.ts" />
/// <reference path="../../node_modules/@moddable/typings/time.d.ts" />
/// <reference path="../../node_modules/@moddable/typings/timer.d.ts" />
