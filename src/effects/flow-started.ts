import type { EffectOf } from "./effect.ts";
import { ingestItem } from "./ingest-item.ts";
import { runRow } from "./run-row.ts";

/** A survey run begins: its row, and a count of surveys started in the person's territory. */
export const flowStarted: EffectOf<"flow.started"> = {
  touches: (e) => [`run ${e.run}`],
  write: (e, into, ctx) => void into.runs.push(runRow(e, "start", ctx)),
  handOver: (e, ctx) => ingestItem(e.type, {}, e, ctx),
};
