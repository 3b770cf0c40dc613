// XS's `native("name")` outside a device build, for the XS smoke (xs-smoke.mjs loads it before the modules): on
// the board xsc turns each such call into the C host function of that name when the module is compiled (its -c
// flag), so a module body may create them while it loads; calling one is what only the board can do.
globalThis.native = (name) => function () {
  throw new Error(`${name}: a native function of the board's build, not callable here`);
};
