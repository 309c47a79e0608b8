// Which earlier answers a condition or a value names: node kinds report theirs with these.
import type { Condition, ValueRef } from "./parts.ts";

/** Add the answers a condition (and the conditions inside it) tests. */
export function conditionAnswers(c: Condition, out: Set<string>): void {
  if (c.answer !== undefined) out.add(c.answer);
  c.all?.forEach((x) => conditionAnswers(x, out));
  c.any?.forEach((x) => conditionAnswers(x, out));
  if (c.not) conditionAnswers(c.not, out);
}

/** Add the answer a value refers to, if it refers to one. */
export function valueAnswers(v: ValueRef, out: Set<string>): void {
  if (typeof v === "object" && "answer" in v) out.add(v.answer);
}

/** Add the answers named by a set of values (message params, emitted data). */
export function valuesAnswers(values: Record<string, ValueRef> | undefined, out: Set<string>): void {
  if (values) for (const v of Object.values(values)) valueAnswers(v, out);
}
