// How the jest suites run a tool of build/ (the XS lane, the bench, the library build, its XS smoke test): in a
// Node process of its own (xsnap's Node API locks down the process that loads it), reading the report the tool
// prints as its last line with --json.
//
// Jest loads this file as CommonJS (build/jest-transform.cjs): keep it free of import.meta and top-level await.
import { execFile } from 'node:child_process';

/**
 * @typedef {object} NodeRun
 * @property {number} code     the exit code; 1 when the process was killed (time limit) or did not start
 * @property {string} stdout
 * @property {string} stderr
 * @property {string} [error]  why the process failed, when it did (exit code, signal, time limit)
 */

/**
 * Run `node ...args` in `cwd` until it exits or `timeoutMs` has passed (then it is killed).
 *
 * @param {string[]} args  the script and its arguments
 * @param {{ cwd: string, timeoutMs: number }} options
 * @returns {Promise<NodeRun>}
 */
export function runNode(args, { cwd, timeoutMs }) {
  return new Promise((done) => {
    execFile(process.execPath, args, { cwd, maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error === null) done({ code: 0, stdout, stderr });
      else done({ code: typeof error.code === 'number' ? error.code : 1, stdout, stderr, error: error.message });
    });
  });
}

/**
 * The report a tool printed as the last line of its stdout, parsed; or an error showing what `what` printed
 * instead (a tool exits 1 when something it checks failed, and still prints its report).
 *
 * @template T
 * @param {string} what  the command, for the error
 * @param {NodeRun} run
 * @returns {T}
 */
export function lastJsonLine(what, run) {
  const line = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    throw new Error(`${what} printed no report${run.error ? ` (${run.error})` : ''}\n${run.stderr}${run.stdout}`);
  }
}
