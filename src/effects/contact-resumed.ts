import type { EffectOf } from "./effect.ts";

/** A stopped contact wrote again and came back. */
export const contactResumed: EffectOf<"contact.resumed"> = {
  write: (_e, into) => void (into.contact.contact_status = "active"),
};
