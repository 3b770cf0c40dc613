/*
 * A type-only check, compiled by `npm run typecheck` (tsconfig.json, the firmware's program) and never run:
 * that program has no Node. The code it checks runs in XS (on the board, in an xsnap worker), where nothing of
 * Node exists; Node's types belong to tsconfig.tools.json. What tsc checks: `process` is not declared here.
 * If Node's types reach this program (@types/node in its "types", or a package whose typings pull them in),
 * the expected error below is gone and tsc reports the unused directive.
 */
// @ts-expect-error: Node's process does not exist in the firmware's program.
export type NodeProcess = typeof process;
