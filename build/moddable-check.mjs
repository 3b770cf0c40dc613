// npm run check:moddable: link every example app for every ESP32 subplatform of CHECK_SUBPLATFORMS with the
// Moddable SDK's own tools, up to and including the xsl link with preload, in release and debug (-d) builds, and
// fail on any `### warning` or `### error` the linker prints (or any tsc, xsc or make failure).
//
//   MODDABLE=/path/to/moddable npm run check:moddable [-- --sub esp32/esp32s3] [-- --app demo] [-- --release-only]
//   ... -- --all      every subplatform of the SDK whose chip the HAL knows ($MODDABLE/build/devices/esp32/targets)
//
// Needs $MODDABLE pointing at a Moddable SDK (8.x) whose host tools are built (mcconfig, xsc, xsl in
// $MODDABLE/build/bin/<lin|mac>/release). Without $MODDABLE it says so and exits 0, so CI stays green.
//
// ESP-IDF is not needed. mcconfig only writes the app's makefile; the makefile checks that $IDF_PATH is set and
// is a git checkout whose `git describe` is the version Moddable expects, but the JavaScript link
// ($(TMP_DIR)/mc.xs.c: xsc on every module, tsc on the app's .ts, xsl with preload) needs no ESP-IDF tool. When
// $IDF_PATH is not set, this script makes a stand-in: an empty git repository tagged with the expected version
// (build/out/moddable/idf-standin), and creates the build's config/sdkconfig.h (which idf.py would generate) as
// an empty file. It runs only that make target, never the C compile, the ESP-IDF build or the flash.
//
// The app `button-accel` is also copied outside this repository and built there with $(GENIRQ) pointing here:
// the way a user's own app includes the library.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { buildLibrary, root } from './build.mjs';
import { CHECK_SUBPLATFORMS, UNSUPPORTED_SUBPLATFORMS } from './device/manifest.mjs';

const OUT = join(root, 'build', 'out', 'moddable');
const OUTSIDE_APP = 'button-accel';

/**
 * @param {string} message
 * @returns {never}
 */
function fail(message) {
  console.error(`check:moddable: ${message}`);
  process.exit(1);
}

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ subs: string[], apps: string[], debug: boolean, all: boolean }} */
  const options = { subs: [], apps: [], debug: true, all: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--sub') options.subs.push(argv[++i]);
    else if (argv[i] === '--app') options.apps.push(argv[++i]);
    else if (argv[i] === '--release-only') options.debug = false;
    else if (argv[i] === '--all') options.all = true;
    else fail(`unknown argument ${argv[i]} (--sub PLATFORM, --app NAME, --release-only, --all)`);
  }
  return options;
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} [options]
 */
function run(command, args, { cwd, env } = {}) {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? 1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/**
 * One link: an app for a subplatform, release or debug.
 *
 * @typedef {object} LinkResult
 * @property {string} app
 * @property {string} sub
 * @property {'release' | 'debug'} variant
 * @property {string[]} warnings  xsl's warnings that are ours
 * @property {string[]} errors
 * @property {string[]} [moddableWarnings]  xsl's warnings that an empty app gets too
 * @property {boolean} linked
 * @property {boolean} ok
 */

/** A link is clean when xsl linked and printed no warning or error of ours. @param {LinkResult} r */
const clean = (r) => r.linked && r.warnings.length === 0 && r.errors.length === 0;

/** The ESP-IDF version Moddable's ESP32 build expects: build.EXPECTED_ESP_IDF in build/devices/esp32/manifest.json. @param {string} moddable */
function expectedIdf(moddable) {
  const path = join(moddable, 'build', 'devices', 'esp32', 'manifest.json');
  try {
    const version = JSON.parse(fs.readFileSync(path, 'utf8')).build?.EXPECTED_ESP_IDF;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/** @param {string} version */
function idfStandIn(version) {
  const dir = join(OUT, 'idf-standin');
  /** @param {string[]} args */
  const git = (...args) => run('git', args, { cwd: dir });
  if (fs.existsSync(join(dir, '.git')) && git('describe', '--always', '--abbrev=0').out.trim() === version) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(join(dir, 'tools'), { recursive: true });
  fs.writeFileSync(join(dir, 'README'), 'A stand-in for ESP-IDF: only its version tag, for the JavaScript link of npm run check:moddable.\n');
  const steps = [['init', '-q'], ['add', 'README'], ['-c', 'user.name=genirq', '-c', 'user.email=genirq@localhost', 'commit', '-qm', 'stand-in'],
    ['-c', 'user.name=genirq', '-c', 'user.email=genirq@localhost', 'tag', '-a', version, '-m', version]];
  for (const step of steps) {
    const r = git(...step);
    if (r.code !== 0) fail(`making the ESP-IDF stand-in failed at git ${step.join(' ')}: ${r.out}`);
  }
  return dir;
}

/**
 * A make variable's value in a generated makefile.
 *
 * @param {string} makefile
 * @param {string} name
 * @param {NodeJS.ProcessEnv} env
 */
function makeVar(makefile, name, env) {
  const r = run('make', ['-s', '-f', makefile, '--eval', `print-%: ; @echo $($*)`, `print-${name}`], { env });
  return r.code === 0 ? r.out.trim() : undefined;
}

/**
 * @param {{ app: string, manifestDir: string, sub: string, debug: boolean, env: NodeJS.ProcessEnv }} target
 * @returns {LinkResult}
 */
function linkOne({ app, manifestDir, sub, debug, env }) {
  const variant = debug ? 'debug' : 'release';
  const outDir = join(OUT, 'work');
  fs.mkdirSync(outDir, { recursive: true });
  const args = [...(debug ? ['-d'] : []), '-p', sub, '-o', outDir, 'manifest.json'];
  const config = run('mcconfig', args, { cwd: manifestDir, env });
  /** @type {LinkResult} */
  const result = { app, sub, variant, warnings: [], errors: [], linked: false, ok: false };
  if (config.code !== 0) {
    result.errors.push(`mcconfig ${args.join(' ')} failed:\n${config.out.trim()}`);
    return result;
  }
  const name = JSON.parse(fs.readFileSync(join(manifestDir, 'manifest.json'), 'utf8')).build?.NAME ?? manifestDir.split('/').pop();
  const tmp = join(outDir, 'tmp', ...sub.split('/'), variant, name);
  const makefile = join(tmp, 'makefile');
  if (!fs.existsSync(makefile)) {
    result.errors.push(`mcconfig wrote no ${makefile}`);
    return result;
  }
  const sdkconfig = makeVar(makefile, 'SDKCONFIG_H', env);
  if (!sdkconfig) {
    result.errors.push('could not read SDKCONFIG_H from the makefile');
    return result;
  }
  fs.mkdirSync(dirname(sdkconfig), { recursive: true });
  if (!fs.existsSync(sdkconfig)) fs.writeFileSync(sdkconfig, '');
  const target = join(tmp, 'mc.xs.c');
  fs.rmSync(target, { force: true });
  const link = run('make', ['-f', makefile, target], { env });
  const lines = link.out.split('\n');
  result.warnings = lines.filter((l) => l.startsWith('### warning'));
  result.errors = lines.filter((l) => l.startsWith('### error') || /error TS\d+|typescript compile failure|^make: \*\*\*/.test(l));
  if (link.code !== 0 && result.errors.length === 0) result.errors.push(`make exited ${link.code}:\n${lines.slice(-20).join('\n')}`);
  result.linked = link.code === 0 && fs.existsSync(target);
  result.ok = clean(result);
  return result;
}

const moddable = process.env.MODDABLE ?? '';
if (!moddable) {
  console.log('check:moddable: $MODDABLE is not set: skipped. Point it at a Moddable SDK with its host tools built to link the apps with xsl.');
  process.exit(0);
}
const options = parseArgs(process.argv.slice(2));
const hostBin = ['lin', 'mac'].map((h) => join(moddable, 'build', 'bin', h, 'release')).find((d) => fs.existsSync(join(d, 'mcconfig')));
if (!hostBin) fail(`no mcconfig under ${moddable}/build/bin/<lin|mac>/release: build Moddable's host tools first (README, "The real link")`);

const report = await buildLibrary({ manifests: 'check' });
if (report.manifestsOutOfDate.length) fail(`manifests out of date (${report.manifestsOutOfDate.join(', ')}): run npm run build and commit them`);

/** @type {NodeJS.ProcessEnv} */
const env = { ...process.env, MODDABLE: moddable, GENIRQ: root, PATH: [hostBin, join(root, 'node_modules', '.bin'), process.env.PATH].join(':') };
env.XS_DIR ??= join(moddable, 'xs');
env.BUILD_DIR ??= join(moddable, 'build');
if (!env.IDF_PATH) {
  const version = expectedIdf(moddable);
  if (!version) fail('could not read build.EXPECTED_ESP_IDF from $MODDABLE/build/devices/esp32/manifest.json; set IDF_PATH to an ESP-IDF checkout instead');
  env.IDF_PATH = idfStandIn(version);
  console.log(`ESP-IDF: not needed for the link; $IDF_PATH is a stand-in tagged ${version} (${env.IDF_PATH})`);
}

const apps = fs.readdirSync(join(root, 'examples'), { withFileTypes: true })
  .filter((e) => e.isDirectory() && fs.existsSync(join(root, 'examples', e.name, 'manifest.json')))
  .map((e) => e.name)
  .filter((name) => options.apps.length === 0 || options.apps.includes(name));
const targets = apps.map((app) => ({ app, manifestDir: join(root, 'examples', app) }));
if (apps.includes(OUTSIDE_APP)) {
  // A user's app outside the repository, including the library from $(GENIRQ).
  const outside = fs.mkdtempSync(join(os.tmpdir(), 'genirq-user-app-'));
  fs.cpSync(join(root, 'examples', OUTSIDE_APP), outside, { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(join(outside, 'manifest.json'), 'utf8'));
  manifest.build = { ...manifest.build, NAME: 'genirq-user-app' };
  fs.writeFileSync(join(outside, 'manifest.json'), JSON.stringify(manifest, null, 2));
  targets.push({ app: `${OUTSIDE_APP} (copied to ${outside})`, manifestDir: outside });
}
/** Every ESP32-family target the SDK ships, but those of chips the HAL has no pin table for (their build stops). */
function allSubplatforms() {
  const unsupported = new Set(Object.values(UNSUPPORTED_SUBPLATFORMS).flat());
  const targets = fs.readdirSync(join(moddable, 'build', 'devices', 'esp32', 'targets'), { withFileTypes: true })
    .filter((e) => e.isDirectory() && !unsupported.has(e.name)).map((e) => `esp32/${e.name}`).sort();
  return ['esp32', ...targets];
}
const subs = options.all ? allSubplatforms() : options.subs.length ? options.subs : CHECK_SUBPLATFORMS;
/**
 * An empty app with the Moddable includes of manifests/esp32.json: what Moddable's own modules make xsl print
 * for a subplatform (Moddable 8.2.3's m5stick_c provider, for one, is "not frozen"). Linked only when an app's
 * link warns; a warning both print is Moddable's, reported but not counted against us.
 *
 * @type {Map<string, Set<string>>}
 */
const baselines = new Map();
/**
 * @param {string} sub
 * @param {boolean} debug
 * @returns {Set<string>}
 */
function moddableOwnWarnings(sub, debug) {
  const key = `${sub} ${debug}`;
  if (!baselines.has(key)) {
    const dir = join(OUT, 'baseline');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(join(dir, 'main.js'), 'export default function main() {}\n');
    const hal = JSON.parse(fs.readFileSync(join(root, 'manifests', 'esp32.json'), 'utf8'));
    const include = hal.include.filter((/** @type {string} */ path) => path.startsWith('$(MODDABLE)'));
    fs.writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ build: { NAME: 'genirq-baseline' }, include, modules: { main: './main' } }, null, 2));
    const r = linkOne({ app: 'baseline', manifestDir: dir, sub, debug, env });
    baselines.set(key, new Set(r.warnings));
  }
  return /** @type {Set<string>} */ (baselines.get(key));
}

/** @type {LinkResult[]} */
const results = [];
for (const target of targets) {
  for (const sub of subs) {
    for (const debug of options.debug ? [false, true] : [false]) {
      const r = linkOne({ ...target, sub, debug, env });
      if (r.warnings.length) {
        const own = moddableOwnWarnings(sub, debug);
        r.moddableWarnings = r.warnings.filter((w) => own.has(w));
        r.warnings = r.warnings.filter((w) => !own.has(w));
        r.ok = clean(r);
      }
      results.push(r);
      const theirs = r.moddableWarnings?.length ? ` (+${r.moddableWarnings.length} Moddable's own: also in an empty app)` : '';
      console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.app.padEnd(20)} ${sub.padEnd(18)} ${r.variant.padEnd(7)} xsl: ${r.warnings.length} warnings, ${r.errors.length} errors${theirs}`);
      for (const line of [...r.errors, ...r.warnings, ...(r.moddableWarnings ?? []).map((w) => `${w}   [Moddable's own]`)].slice(0, 20)) console.log(`       ${line}`);
    }
  }
}
const failed = results.filter((r) => !r.ok);
console.log(`check:moddable: ${results.length - failed.length} of ${results.length} links clean (${targets.length} apps × ${subs.length} subplatforms × ${options.debug ? 'release and debug' : 'release'})`);
process.exitCode = failed.length ? 1 : 0;
