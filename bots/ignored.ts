import type { Inbound } from "../src/channel/contract.ts";

/** A platform event that is not a message for the conversation, with the reason (for logs and tests). */
export interface Ignored {
  ignored: string;
}

export const ignored = (reason: string): Ignored => ({ ignored: reason });

export function isIgnored<T extends Ignored>(x: Inbound | T): x is T {
  return "ignored" in x;
}
