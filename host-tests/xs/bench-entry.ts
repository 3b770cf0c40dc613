/*
 * The benchmark program inside XS (build/bench.mjs bundles it with every firmware module and evaluates it).
 * It freezes what the board's preload freezes, then answers commands: each one is a delivery of its own
 * (issueCommand from Node), whose meter units and heap counts xsnap reports to Node. A command is a JSON
 * object {op, ...}; the answer, when there is one, comes back as a message {type: 'done', op, ...}. Errors
 * come back as {type: 'error', op, error}.
 *
 * Ops: setup {workload, impl: 'framework' | 'floor'} (a fresh board), run {n} (n interrupts, until handled),
 * gc {} (a full collection; the delivery's currentHeapCount is then the live slot count), lines {count} and
 * register {mode} (heap per registration), demo {kind: 'firmware' | 'baseline'}, demo-feed {us} and
 * demo-advance {us} (the demo app's memory, host-tests/xs/demo-memory.ts), probe {kind: 'slots' | 'chunks',
 * count, bytes?} and probe-drop {} (known objects kept alive, to size the snapshot per slot and per chunk).
 * Add an op to OPS.
 */
import { makeThreadedIrqs, type RegistrationMode } from '../../bench/threads';
import { WORKLOADS, type Workload } from './bench-workloads';
import { dropProbe, keepProbe, startDemoRun, type DemoRun } from './demo-memory';
import { freezeLikePreload, send, xsnapGlobals, type XsnapGlobals } from './xs-globals';

/** xsnap has TextDecoder; the project's lib (ES2022, no DOM) does not declare it. */
declare const TextDecoder: new () => { decode(bytes: Uint8Array): string };

interface Command {
  op: string;
  [key: string]: unknown;
}

let current: Workload | undefined;
let registrations: ReturnType<typeof makeThreadedIrqs> | undefined;
let demo: DemoRun | undefined;

const OPS: Record<string, (xs: XsnapGlobals, command: Command) => void | Promise<void>> = {
  setup(xs, { workload, impl }) {
    const pair = WORKLOADS.find((w) => w.id === workload);
    if (pair === undefined) throw new Error(`no workload ${String(workload)}`);
    if (impl !== 'framework' && impl !== 'floor') throw new Error(`impl must be framework or floor, not ${String(impl)}`);
    current = pair[impl]();
    send(xs, { type: 'done', op: 'setup' });
  },
  async run(xs, { n }) {
    if (current === undefined) throw new Error('run before setup');
    await current.run(n as number);
    send(xs, { type: 'done', op: 'run', handled: current.handled });
  },
  gc(xs) {
    xs.gc();
  },
  /** A fresh core with `count` lines and nothing requested (for heap per registration). */
  lines(xs, { count }) {
    registrations = makeThreadedIrqs(count as number);
    send(xs, { type: 'done', op: 'lines' });
  },
  /** Request an action on every line of `lines`: 'plain', 'dedicated' (a thread each) or 'shared' (shared thread 0). */
  register(xs, { mode }) {
    if (registrations === undefined) throw new Error('register before lines');
    registrations.register(mode as RegistrationMode);
    send(xs, { type: 'done', op: 'register', threads: registrations.core.irqThreads().length });
  },
  /** The demo board: 'firmware' (startFirmwareBoard: the demo started, drivers probed) or 'baseline' (no firmware). */
  async demo(xs, { kind }) {
    if (kind !== 'firmware' && kind !== 'baseline') throw new Error(`kind must be firmware or baseline, not ${String(kind)}`);
    demo = await startDemoRun(kind);
    send(xs, { type: 'done', op: 'demo', now: demo.sim.now() });
  },
  /** Schedule the demo's realistic input for `us` of virtual time. */
  'demo-feed'(xs, { us }) {
    if (demo === undefined) throw new Error('demo-feed before demo');
    demo.feed(us as number);
    send(xs, { type: 'done', op: 'demo-feed' });
  },
  /** Run the demo board for `us` of virtual time. */
  async 'demo-advance'(xs, { us }) {
    if (demo === undefined) throw new Error('demo-advance before demo');
    await demo.sim.advance(us as number);
    send(xs, { type: 'done', op: 'demo-advance', now: demo.sim.now(), counts: demo.counts(), pendingEvents: demo.sim.pending });
  },
  probe(xs, { kind, count, bytes }) {
    if (kind !== 'slots' && kind !== 'chunks') throw new Error(`kind must be slots or chunks, not ${String(kind)}`);
    keepProbe(kind, count as number, bytes as number | undefined);
    send(xs, { type: 'done', op: 'probe' });
  },
  'probe-drop'(xs) {
    dropProbe();
    send(xs, { type: 'done', op: 'probe-drop' });
  },
};

function describeError(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** `firmwareModules`: every firmware module's namespace, by path (build/xs/host.mjs's bundleForXs). */
export function main(firmwareModules: Readonly<Record<string, object>>): void {
  const xs = xsnapGlobals();
  freezeLikePreload(xs, firmwareModules);
  const decoder = new TextDecoder();
  (globalThis as { handleCommand?: (bytes: ArrayBuffer) => void }).handleCommand = (bytes) => {
    const command = JSON.parse(decoder.decode(new Uint8Array(bytes))) as Command;
    const fail = (err: unknown): void => send(xs, { type: 'error', op: command.op, error: describeError(err) });
    try {
      const op = OPS[command.op];
      if (op === undefined) throw new Error(`no op ${command.op}`);
      const pending = op(xs, command);
      if (pending !== undefined) pending.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
}
