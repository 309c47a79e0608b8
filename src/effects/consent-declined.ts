import type { EffectOf } from "./effect.ts";
import { runRow } from "./run-row.ts";

/** The person declined: nothing is kept without consent, so the runs (and their answers, by cascade) go. */
export const consentDeclined: EffectOf<"consent.declined"> = {
  // The cascade deletes rows nothing else of the turn may touch in the same statement.
  touches: () => "alone",
  write: (e, into, ctx) => {
    for (const id of e.discard) into.runs.push(runRow({ run: id, flow: e.flow }, "discard", ctx));
    Object.assign(into.contact, { consent_set: true, consent_version: null, consent_at: null });
  },
};
