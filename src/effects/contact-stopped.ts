import type { EffectOf } from "./effect.ts";

/** STOP: the contact gets nothing more until they come back. */
export const contactStopped: EffectOf<"contact.stopped"> = {
  write: (_e, into) => void (into.contact.contact_status = "stopped"),
};
