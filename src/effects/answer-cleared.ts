import type { EffectOf } from "./effect.ts";

/** An answer taken back (the question is asked again): its row goes. */
export const answerCleared: EffectOf<"answer.cleared"> = {
  touches: (e) => [`answer ${e.run} ${e.question}`],
  write: (e, into, ctx) => void into.cleared.push({ contact_id: ctx.contactId, run_id: e.run, question: e.question }),
};
