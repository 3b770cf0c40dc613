// The Node side of running project code inside XS: bundle a TypeScript entry for the XS engine with esbuild,
// and start an xsnap worker (the real XS engine, compiled by @agoric/xsnap's install script).
//
// @agoric/xsnap's Node API needs SES (its modules call harden() and assert() as they load), so loadXsnap()
// runs @endo/init's lockdown in this process first: keep a process that imports this module for XS work, and
// do anything else (esbuild, Node-side measurements) before calling loadXsnap().
import { build } from 'esbuild';
import * as childProcess from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The device entry: it imports Moddable's own modules (embedded:provider/builtin, time, timer) and is not
 * preloaded on the board, so the lanes leave it out (the device build's XS smoke test loads it with stubs).
 */
const mainModule = join(root, 'firmware', 'main.ts');

/** Every TypeScript module under firmware/ but main, as absolute paths: what the board's preload would freeze. */
export function firmwareModules() {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') && path !== mainModule) out.push(path);
    }
  };
  walk(join(root, 'firmware'));
  return out;
}

/**
 * Bundle for XS: a strict iife script (what xsnap's evaluate takes), platform neutral, ES2023. `main` is a module
 * exporting `main(firmwareModules)`; the generated entry imports every firmware module as a namespace and
 * passes them in, so a module added under firmware/ is frozen without anyone listing it. `prelude` modules
 * are imported first, so they run before any other module body (to change the globals the others see).
 */
export async function bundleForXs(main, { prelude = [] } = {}) {
  const modules = firmwareModules();
  const imports = modules.map((path, i) => `import * as m${i} from ${JSON.stringify(`./${relative(root, path)}`)};`);
  const contents = [
    ...prelude.map((path) => `import ${JSON.stringify(`./${relative(root, resolve(root, path))}`)};`),
    ...imports,
    `import { main } from ${JSON.stringify(`./${relative(root, resolve(root, main))}`)};`,
    `main([${modules.map((_, i) => `m${i}`).join(', ')}]);`,
  ].join('\n');
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: 'xs-entry.ts', loader: 'ts' },
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    target: 'es2023',
    // ES modules are strict; so is the bundle (a failed write to a frozen object throws, as on the board).
    banner: { js: '"use strict";' },
    write: false,
    logLevel: 'warning',
  });
  return { code: result.outputFiles[0].text, modules: modules.map((path) => relative(root, path)) };
}

let xsnapModule;

/** @agoric/xsnap, after SES lockdown of this process (see the top of this file). */
export async function loadXsnap() {
  if (xsnapModule === undefined) {
    const require = createRequire(join(root, 'package.json'));
    const xsnapPackage = require.resolve('@agoric/xsnap/package.json');
    // @endo/init is @agoric/xsnap's own dependency: resolve it from there, wherever npm placed it.
    const init = createRequire(xsnapPackage).resolve('@endo/init');
    await import(pathToFileURL(init).href);
    xsnapModule = await import(pathToFileURL(join(dirname(xsnapPackage), 'src', 'index.js')).href);
  }
  return xsnapModule;
}

const decoder = new TextDecoder();
const EMPTY = new Uint8Array(0);

/**
 * The most meter units one delivery (evaluate, issueCommand) may use before the worker stops with
 * E_TOO_MUCH_COMPUTATION. xsnap checks the meter only when a limit is given on its command line, and reads it
 * (and resetMeter's arguments) as a 32-bit signed integer: hence just under 2^31. A program restarts its
 * budget with resetMeter(limit, 0), as the XS lane does for each scenario.
 */
export const METER_LIMIT = 2_100_000_000;

/**
 * Start an xsnap worker. `onMessage` gets every issueCommand() of the worker as parsed JSON (the worker
 * sends JSON text); its return value is ignored and the worker gets an empty reply.
 */
export async function startWorker({ name, onMessage = () => {}, stdout = 'inherit' }) {
  const require = createRequire(join(root, 'package.json'));
  const bin = join(dirname(require.resolve('@agoric/xsnap/package.json')), 'xsnap-native/xsnap/build/bin/lin/release/xsnap-worker');
  if (os.type() === 'Linux' && !fs.existsSync(bin)) {
    throw new Error(`no XS engine at ${relative(root, bin)}: @agoric/xsnap's install script builds it (npm ci; package.json allowScripts must list @agoric/xsnap)`);
  }
  const { xsnap } = await loadXsnap();
  return xsnap({
    name,
    os: os.type(),
    spawn: childProcess.spawn,
    fs: { ...fs, ...fs.promises },
    stdout,
    stderr: 'inherit',
    meteringLimit: METER_LIMIT,
    handleCommand: async (bytes) => {
      onMessage(JSON.parse(decoder.decode(bytes)));
      return EMPTY;
    },
  });
}

/** The size in bytes of a snapshot of the worker's heap: XS collects garbage, then writes every live slot and chunk. */
export async function snapshotSize(worker) {
  let size = 0;
  for await (const chunk of worker.makeSnapshotStream('heap-size')) size += chunk.length;
  return size;
}

/**
 * A number with thousands separators and `digits` decimals. (Not toLocaleString: once SES has locked this
 * process down, that is plain toString.)
 */
export function grouped(value, digits = 0) {
  const [whole, fraction] = Math.abs(value).toFixed(digits).split('.');
  const sign = value < 0 && Number(whole + (fraction ?? '')) !== 0 ? '-' : '';
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction === undefined ? '' : `.${fraction}`}`;
}
