// The person id of an export: never the contact id itself, but an HMAC of it. By default under a key
// made for this export alone and then forgotten, so two exports can't be joined person by person;
// with --stable-ids under a key derived from INLOCO_HASH_KEY, so the same person has the same id in
// every export made with that key (and it still can't be turned back into the contact id).
import { createHmac, randomBytes } from "node:crypto";

/** Turns a contact id into the export's person id. */
export type Pseudonymizer = (contactId: string) => string;

/**
 * Person ids under `key` (default: a random key, forgotten with the function). The id is "p" and 16
 * hex digits (64 bits): a letter first, so no CSV reader takes it for a number.
 */
export function pseudonymizer(key: Buffer = randomBytes(32)): Pseudonymizer {
  const k = Buffer.from(key);
  return (contactId) => `p${createHmac("sha256", k).update(contactId, "utf8").digest("hex").slice(0, 16)}`;
}
