import type { EffectOf } from "./effect.ts";
import { runRow } from "./run-row.ts";

/** A survey run reached its end. */
export const flowCompleted: EffectOf<"flow.completed"> = {
  touches: (e) => [`run ${e.run}`],
  write: (e, into, ctx) => void into.runs.push(runRow(e, "complete", ctx)),
};
