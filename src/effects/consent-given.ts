import type { EffectOf } from "./effect.ts";

/** The person accepted the consent note: its version and time on the contact. */
export const consentGiven: EffectOf<"consent.given"> = {
  write: (e, into) => void Object.assign(into.contact, { consent_set: true, consent_version: e.version, consent_at: e.at }),
};
