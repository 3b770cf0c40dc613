/*
 * One run of the board property: a fresh rig on a chip kind (board-chip.ts), the set-up requests, the commands
 * (fast-check's model-based runner), the end. replayBoard runs a counterexample's commands as plain data (the
 * JSON fast-check prints).
 */
import fc from 'fast-check';
import type { BoardChipKind } from './board-chip';
import { digitalBankBoard } from './board-chip-digitalbank';
import { BoardCommand, runStep } from './board-commands';
import { finishRun } from './board-end';
import type { Cmd, RunConfig } from './board-model';
import { BoardRig, type RunStats } from './board-rig';

export async function runBoard(
  kind: BoardChipKind, config: RunConfig, setup: readonly Cmd[], commands: Iterable<fc.AsyncCommand<BoardRig, BoardRig>>,
): Promise<RunStats> {
  const rig = new BoardRig(config, kind);
  for (const cmd of setup) await runStep(rig, cmd);
  await fc.asyncModelRun(() => ({ model: rig, real: rig }), commands);
  await finishRun(rig);
  return rig.stats;
}

/** Replay a counterexample on the DigitalBank chip: `[config, setup, ...commands]` as fast-check printed them. */
export function replayBoard(config: RunConfig, setup: readonly Cmd[], ...commands: Cmd[]): Promise<RunStats> {
  return replayBoardOn(digitalBankBoard, config, setup, ...commands);
}

/** Replay a counterexample on a chip kind (the native chip's: nativeBoard(bootNativeSimBoard), board-chip-native.ts). */
export function replayBoardOn(kind: BoardChipKind, config: RunConfig, setup: readonly Cmd[], ...commands: Cmd[]): Promise<RunStats> {
  return runBoard(kind, config, setup, commands.map((cmd) => new BoardCommand(cmd)));
}
