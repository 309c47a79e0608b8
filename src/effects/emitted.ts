import type { EffectOf } from "./effect.ts";
import { ingestItem } from "./ingest-item.ts";

/** Something a flow reports (feedback submitted, a survey completed, an RSVP): to the ingest queue. */
export const emitted: EffectOf<"emitted"> = {
  handOver: (e, ctx) => ingestItem(e.name, e.data, e, ctx),
};
