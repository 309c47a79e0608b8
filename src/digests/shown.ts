// What of a digest's lists may be named at all, beside how each count is written (format.ts): a
// category or language counted below the threshold is not ranked or named on its own, so that neither
// its place in a list nor its being there says how few people it stands for.
import type { Digest } from "./digest.ts";
import { isShown } from "./format.ts";

/** Priorities named by enough people, most first; and the rest, in the survey's order, each "< min". */
export function shownPriorities(d: Digest): { ranked: Digest["priorities"]; others: Digest["priorities"] } {
  const ranked = d.priorities.filter((p) => isShown(p.current, d.minCount)).sort((a, b) => b.current - a.current);
  const order = d.needs.categories.map((c) => c.id);
  const others = d.priorities.filter((p) => !isShown(p.current, d.minCount)).sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
  return { ranked, others };
}

/** Languages spoken by enough of the people reached, most first; the others together (0 when none). */
export function shownLanguages(d: Digest): { named: Digest["participation"]["languages"]; others: number } {
  const all = d.participation.languages;
  const named = all.filter((l) => isShown(l.count, d.minCount));
  return { named, others: all.filter((l) => !isShown(l.count, d.minCount)).reduce((n, l) => n + l.count, 0) };
}

/** Whether to show a meeting's waiting list: only a meeting with a capacity has one (so "none" says nothing). */
export const hasWaitingList = (m: Digest["meetings"][number]): boolean => m.capacity !== null;
