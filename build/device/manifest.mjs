// The Moddable manifest of the device build (manifest.json at the repository root), generated from the list of
// emitted modules by build/build.mjs. See the README section "Building for the board".
//
// Moddable facts this relies on (Moddable-OpenSource/moddable):
// - documentation/tools/manifest.md: "modules" maps a module specifier (the target) to a source path without
//   extension, relative to the manifest; "preload" is a list of module specifiers, not paths; "include" merges
//   other manifests; "build": {"NAME": ...} names mcconfig's output directory; "platforms" with a "..."
//   fallback can raise an error for unsupported platforms.
// - xs/tools/xsl.c and xs/platforms/*/xsHost.c (fxFindModule): a bare specifier is looked up as is among the
//   modules; "./" and "../" resolve against the importer's specifier. Hence bare specifiers between our modules.
// - tools/mcmanifest.js (ModulesRule): a .js source becomes the target "<specifier>.xsb", compiled by xsc; a
//   source directory that does not exist is an error, a name that matches no file only a warning ("no modules
//   match"), so the "main" entry may point at a module that does not exist yet.
// - examples/manifest_base.json: timer, time, debug, Resource and instrumentation, preloaded on esp32, and
//   creation.main = "main" (the module the runtime imports after set-up).
// - modules/io/manifest.json: what the ECMA-419 examples (examples/io/*) include; on esp32 it brings
//   embedded:io/digital, embedded:io/digitalbank, embedded:io/i2c and embedded:provider/builtin (the
//   per-class manifests under modules/io/ need its $(IO) variable, and the provider imports every io class).

/** Where the build writes the modules, relative to the repository root (and so to manifest.json). */
export const DEVICE_OUT = 'build/out/device';

/** The source of the device's entry module, named `main` in the manifest (Moddable's creation.main). */
export const MAIN_SOURCE = 'firmware/main.ts';

/** The manifests of the Moddable SDK the device build includes. */
export const MODDABLE_INCLUDES = Object.freeze([
  '$(MODDABLE)/examples/manifest_base.json',
  '$(MODDABLE)/modules/io/manifest.json',
]);

/** Module specifiers Moddable provides to the modules of the device build (besides the build's own modules). */
export const MODDABLE_BUILTINS = Object.freeze(['timer', 'time']);

/** True for an import specifier Moddable provides: `embedded:*` (ECMA-419 IO, providers), `timer`, `time`. */
export function isModdableBuiltin(specifier) {
  return specifier.startsWith('embedded:') || MODDABLE_BUILTINS.includes(specifier);
}

/**
 * The manifest for the given module specifiers (every emitted module but main, e.g. "firmware/irq/core"):
 * each named explicitly under "modules" and "preload"; `main` always maps to the emitted firmware/main, and
 * is not preloaded (Moddable's examples do not preload main: its body usually touches hardware).
 */
export function generateManifest(moduleNames) {
  const names = [...moduleNames].sort();
  const modules = { main: `./${DEVICE_OUT}/${MAIN_SOURCE.replace(/\.ts$/, '')}` };
  for (const name of names) modules[name] = `./${DEVICE_OUT}/${name}`;
  return {
    // mcconfig's output directory name ($MODDABLE/build/bin/esp32/.../genirq-mcu), instead of the checkout's name.
    build: { NAME: 'genirq-mcu' },
    include: [...MODDABLE_INCLUDES],
    modules,
    preload: names,
    platforms: {
      esp32: {},
      '...': { error: 'genirq-mcu: the board HAL (hal/esp32) is for ESP32: build with -p esp32 or -p esp32/<subplatform>' },
    },
  };
}

/** The manifest as the file holds it. */
export function manifestText(manifest) {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
