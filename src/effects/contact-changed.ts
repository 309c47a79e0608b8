import type { EffectOf } from "./effect.ts";

// contact_pref answers (yes/no) and the enum they set.
const PREFERENCE: Record<string, string> = { yes: "all", no: "none", all: "all", direct_only: "direct_only", none: "none" };

/** A contact field set by a flow: the territory and the contact preference live on the contact's row. */
export const contactChanged: EffectOf<"contact.changed"> = {
  write: (e, into) => {
    // Only territories the project works in link the contact; "other" and free text leave it unset.
    if (e.field === "territory") Object.assign(into.contact, { territory_set: true, territory: e.value });
    else if (e.field === "contact_pref" && PREFERENCE[e.value]) into.contact.preference = PREFERENCE[e.value] as string;
  },
};
