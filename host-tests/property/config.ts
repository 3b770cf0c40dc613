/*
 * How the property suites run: a fixed seed by default, so CI is reproducible; FC_SEED picks another one
 * (FC_SEED=random: a new one each run, printed on failure), FC_RUNS changes the number of runs (the suites
 * ask for at least 10,000 each), FC_PATH replays one failing case (fast-check prints seed and path), FC_STATS=1
 * prints the totals of what the runs reached. FC_CHIP runs the board property on one chip kind only: a word of its
 * name (FC_CHIP=native, FC_CHIP=DigitalBank), as a replay of one kind's counterexample wants.
 */
import type { Parameters } from 'fast-check';

export const DEFAULT_SEED = 0x6e1c;

/** The environment, without Node's types (the project compiles against ES2022 and jest only). */
export function env(name: string): string | undefined {
  const proc = (globalThis as { process?: { env: Record<string, string | undefined> } }).process;
  return proc?.env[name];
}

function envNumber(name: string): number | undefined {
  const raw = env(name);
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value)) throw new Error(`${name}=${raw} is not an integer`);
  return value;
}

export function propertyParameters<T>(defaultRuns: number): Parameters<T> {
  const random = env('FC_SEED') === 'random';
  const seed = random ? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0 : envNumber('FC_SEED') ?? DEFAULT_SEED;
  const params: Parameters<T> = { numRuns: envNumber('FC_RUNS') ?? defaultRuns, seed };
  const path = env('FC_PATH');
  if (path) params.path = path;
  return params;
}

/** The chip kinds the board property runs on: all of them, or those FC_CHIP names (a word of the name, any case). */
export function chipKinds<T extends { readonly name: string }>(kinds: readonly T[]): T[] {
  const only = env('FC_CHIP');
  if (only === undefined || only === '') return [...kinds];
  const picked = kinds.filter((k) => k.name.toLowerCase().includes(only.toLowerCase()));
  if (picked.length === 0) throw new Error(`FC_CHIP=${only} names none of ${kinds.map((k) => k.name).join('; ')}`);
  return picked;
}
