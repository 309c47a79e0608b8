import type { Event } from "../engine/index.ts";
import type { EffectOf } from "./effect.ts";

/**
 * DELETE: the whole contact goes, in a transaction of its own (repos/erase.ts), with the turn that
 * asked; the inbound worker then removes their queued jobs. Nothing is written row by row.
 */
export const erasureRequested: EffectOf<"erasure.requested"> = {};

/** Whether a turn's events erase its contact: the one place that asks. */
export function erasesContact(events: readonly Event[]): boolean {
  return events.some((e) => e.type === "erasure.requested");
}
