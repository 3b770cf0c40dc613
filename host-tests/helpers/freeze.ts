/*
 * What Moddable's preload does to the firmware before it runs on the board: the built-in prototypes and
 * every export of the preloaded modules frozen, deeply (classes with their prototypes and statics).
 */

export function deepFreeze(value: unknown, seen = new Set<unknown>()): void {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return;
  seen.add(value);
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value as object)) {
    const d = Object.getOwnPropertyDescriptor(value, key);
    if (d && 'value' in d) deepFreeze(d.value, seen);
  }
  deepFreeze(Object.getPrototypeOf(value), seen);
}

/**
 * Freeze the built-in prototypes and each module's exports. Jest's CommonJS modules export through
 * getters, so what each export is gets frozen, then the module object.
 */
export function freezeLikePreload(modules: readonly object[]): void {
  for (const builtin of [Object.prototype, Function.prototype, Error.prototype, Array.prototype, Promise.prototype, Map.prototype, Set.prototype, WeakMap.prototype]) {
    Object.freeze(builtin);
  }
  for (const mod of modules) {
    for (const key of Object.keys(mod)) deepFreeze((mod as Record<string, unknown>)[key]);
    deepFreeze(mod);
  }
}
