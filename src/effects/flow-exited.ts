import type { EffectOf } from "./effect.ts";
import { runRow } from "./run-row.ts";

/** A survey run was left (restarted, replaced, declined): abandoned if it was still in progress. */
export const flowExited: EffectOf<"flow.exited"> = {
  touches: (e) => [`run ${e.run}`],
  write: (e, into, ctx) => void into.runs.push(runRow(e, "exit", ctx)),
};
