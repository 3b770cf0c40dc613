/*
 * The Moddable modules an app's `main` imports, for host tests: jest maps `embedded:provider/builtin`,
 * `mc/config`, `time` and `timer` (jest.config.cjs) to the stand-ins beside this file, which forward to what a
 * test installs here: the provider fake of a simulated board (hal/mock/ecma419/provider.ts), the manifest's
 * config, and the Time and Timer fakes (hal/mock/moddable/). Test code only; nothing here ships.
 */
export interface InstalledModdable {
  device: object;
  config: object;
  Time: object;
  Timer: object;
}

const current: { modules: InstalledModdable | undefined } = { modules: undefined };

export function installModdable(modules: InstalledModdable): void {
  current.modules = modules;
}

export function uninstallModdable(): void {
  current.modules = undefined;
}

/** A module's default export: reads through to what is installed when the app touches it. */
export function standIn(which: keyof InstalledModdable): object {
  return new Proxy({}, {
    get(_target, key) {
      const modules = current.modules;
      if (modules === undefined) throw new Error(`${which}: no Moddable modules installed (installModdable) before the app ran`);
      return Reflect.get(modules[which], key);
    },
    has(_target, key) {
      return current.modules !== undefined && Reflect.has(current.modules[which], key);
    },
  });
}
