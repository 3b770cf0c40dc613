// The Node side of running a program inside XS, for every tool that does: the XS lane (build/xs/lane.mjs), the
// device build's smoke test (build/device/xs-smoke.mjs) and the bench (build/bench.mjs). bundleForXs() makes the
// one script an xsnap worker evaluates (esbuild), runInXs() runs it in a fresh worker (the real XS engine,
// compiled by @agoric/xsnap's install script) and collects what the program sends.
//
// @agoric/xsnap's Node API needs SES (its modules call harden() and assert() as they load), so loadXsnap()
// runs @endo/init's lockdown in this process first: keep a process that imports this module for XS work, and
// do anything else (esbuild, Node-side measurements) before calling loadXsnap().
import { build } from 'esbuild';
import * as childProcess from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { filesUnder } from '../walk.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Every TypeScript module under firmware/, what the board's preload would freeze: { 'firmware/irq/core.ts':
 * './firmware/irq/core.ts', ... } (repository path: import specifier), for bundleForXs.
 *
 * @returns {Record<string, string>}
 */
export function firmwareModules() {
  const paths = filesUnder(join(root, 'firmware'), (path) => path.endsWith('.ts') && !path.endsWith('.d.ts'));
  return Object.fromEntries(paths.map((path) => [`firmware/${path}`, `./firmware/${path}`]));
}

/**
 * Bundle a program for XS: one strict iife script (what xsnap's evaluate takes), platform neutral, ES2023.
 *
 * `main` (a path from the root) is the program: a module exporting `main(modules)`. The generated entry imports
 * every module of `modules` ({ name: import specifier }, by default every firmware module) as a namespace, and
 * passes them in by name ({ name: namespace }), so the program can freeze what preload freezes before anything
 * runs, and a module added under firmware/ is frozen without anyone listing it. `prelude` modules (paths from
 * the root) are imported first, so they run before any other module body (to change the globals the others
 * see). `plugins` are esbuild's, for specifiers esbuild would not resolve by itself.
 *
 * @param {string} main
 * @param {{ modules?: Record<string, string>, prelude?: string[], plugins?: import('esbuild').Plugin[] }} [options]
 * @returns {Promise<{ code: string, modules: string[] }>} the script, and the names of the modules passed in
 */
export async function bundleForXs(main, { modules = firmwareModules(), prelude = [], plugins = [] } = {}) {
  const names = Object.keys(modules);
  /** @param {string} path */
  const fromRoot = (path) => JSON.stringify(`./${relative(root, resolve(root, path)).split(sep).join('/')}`);
  const contents = [
    ...prelude.map((path) => `import ${fromRoot(path)};`),
    ...names.map((name, i) => `import * as m${i} from ${JSON.stringify(modules[name])};`),
    `import { main } from ${fromRoot(main)};`,
    `main({ ${names.map((name, i) => `${JSON.stringify(name)}: m${i}`).join(', ')} });`,
  ].join('\n');
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: 'xs-entry.js', loader: 'js' },
    bundle: true,
    format: 'iife',
    platform: 'neutral',
    target: 'es2023',
    // ES modules are strict; so is the bundle (a failed write to a frozen object throws, as on the board).
    banner: { js: '"use strict";' },
    write: false,
    logLevel: 'warning',
    plugins,
  });
  return { code: result.outputFiles[0].text, modules: names };
}

/** @type {any} @agoric/xsnap's src/index.js (untyped: imported by path) */
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
 * A fresh xsnap worker. `onMessage` gets every issueCommand() of the worker as parsed JSON (the worker sends
 * JSON text); the worker gets an empty reply.
 *
 * @param {{ name: string, onMessage: (message: any) => void }} options
 */
async function startWorker({ name, onMessage }) {
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
    stdout: 'inherit',
    stderr: 'inherit',
    meteringLimit: METER_LIMIT,
    /** @param {Uint8Array} bytes */
    handleCommand: async (bytes) => {
      onMessage(JSON.parse(decoder.decode(bytes)));
      return EMPTY;
    },
  });
}

/**
 * @typedef {Awaited<ReturnType<typeof startWorker>>} XsWorker  an xsnap worker (evaluate, issueStringCommand,
 *   makeSnapshotStream, close, terminate)
 */

/**
 * Run a script of bundleForXs in a fresh xsnap worker, and collect what the program sends (each issueCommand,
 * parsed) in `messages`. Once the script is evaluated, `then({ worker, messages, within })`, if given, goes on
 * with the worker: more deliveries (worker.evaluate, worker.issueStringCommand), each passed through `within`
 * to stop waiting for it when the time limit is reached. The time limit (`timeLimitMs`, none by default) counts
 * from the start. The worker is closed after, or terminated when something failed or the time ran out.
 *
 * Resolves to { messages, error, thrown, value }: `error`, the message of what failed (the evaluation, `then`,
 * or the time limit; undefined when nothing did) and `thrown` what was thrown; `value`, what `then` resolved to.
 *
 * @template T
 * @param {string} code
 * @param {{
 *   name: string,
 *   timeLimitMs?: number,
 *   then?: (run: { worker: XsWorker, messages: any[], within: <D>(delivery: Promise<D>) => Promise<D> }) => Promise<T>,
 * }} options
 * @returns {Promise<{ messages: any[], error: string | undefined, thrown: unknown, value: T | undefined }>}
 */
export async function runInXs(code, { name, timeLimitMs = Infinity, then }) {
  /** @type {any[]} */
  const messages = [];
  const worker = await startWorker({ name, onMessage: (m) => messages.push(m) });
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {Promise<never>} */
  const timeLimit = new Promise((_, reject) => {
    if (Number.isFinite(timeLimitMs)) timer = setTimeout(() => reject(new Error(`did not finish within ${timeLimitMs} ms`)), timeLimitMs);
  });
  /** @type {<D>(delivery: Promise<D>) => Promise<D>} */
  const within = (delivery) => Promise.race([delivery, timeLimit]);
  /** @type {{ error: string | undefined, thrown: unknown, value: T | undefined }} */
  const outcome = { error: undefined, thrown: undefined, value: undefined };
  try {
    await within(worker.evaluate(code));
    if (then) outcome.value = await then({ worker, messages, within });
  } catch (err) {
    outcome.thrown = err;
    outcome.error = err instanceof Error ? err.message : String(err);
  } finally {
    clearTimeout(timer);
    if (outcome.error === undefined) await worker.close().catch(() => worker.terminate()).catch(() => {});
    else await worker.terminate().catch(() => {});
  }
  return { messages, ...outcome };
}

/**
 * The size in bytes of a snapshot of the worker's heap: XS collects garbage, then writes every live slot and chunk.
 *
 * @param {XsWorker} worker
 */
export async function snapshotSize(worker) {
  let size = 0;
  for await (const chunk of worker.makeSnapshotStream('heap-size')) size += chunk.length;
  return size;
}

/**
 * A number with thousands separators and `digits` decimals. (Not toLocaleString: once SES has locked this
 * process down, that is plain toString.)
 *
 * @param {number} value
 */
export function grouped(value, digits = 0) {
  const [whole, fraction] = Math.abs(value).toFixed(digits).split('.');
  const sign = value < 0 && Number(whole + (fraction ?? '')) !== 0 ? '-' : '';
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction === undefined ? '' : `.${fraction}`}`;
}
