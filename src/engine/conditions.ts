import type { Condition } from "./definition/parts.ts";
import type { Answered } from "./session.ts";

/** Where a condition reads earlier answers and contact fields. */
export interface Facts {
  answer(result: string): Answered | undefined;
  field(name: string): string | undefined;
  param(name: string): string | undefined;
}

type Scalar = string | number | boolean;

/** Whether a branch condition holds. A test on something never answered is false. */
export function holds(c: Condition, facts: Facts): boolean {
  if (c.all) return c.all.every((x) => holds(x, facts));
  if (c.any) return c.any.some((x) => holds(x, facts));
  if (c.not) return !holds(c.not, facts);
  if (c.field !== undefined || c.param !== undefined) {
    const v = c.field !== undefined ? facts.field(c.field) : facts.param(c.param as string);
    if (c.answered !== undefined) return (v !== undefined && v !== "") === c.answered;
    return test(c, v, v === undefined ? [] : [v]);
  }
  const a = c.answer === undefined ? undefined : facts.answer(c.answer);
  if (c.answered !== undefined) return (a !== undefined && !a.skipped && a.value !== null) === c.answered;
  if (c.skipped !== undefined) return (a?.skipped ?? false) === c.skipped;
  if (!a || a.value === null) return false;
  const v = a.value;
  switch (v.kind) {
    case "choice":
      return test(c, v.choices.length === 1 ? v.choices[0] : undefined, v.choices);
    case "number":
      return test(c, v.number, [String(v.number)]);
    case "text":
      return test(c, v.text, [v.text]);
    case "date":
      return test(c, v.date, [v.date]);
    case "location":
      return test(c, v.place, v.place === undefined ? [] : [v.place]);
    case "media":
      return test(c, undefined, []);
  }
}

function test(c: Condition, one: Scalar | undefined, many: readonly string[]): boolean {
  if (c.equals !== undefined) return one !== undefined && String(one) === String(c.equals);
  if (c.in !== undefined) return c.in.some((x) => many.includes(String(x)));
  if (c.any_of !== undefined) return c.any_of.some((x) => many.includes(x));
  if (c.all_of !== undefined) return c.all_of.every((x) => many.includes(x));
  const n = typeof one === "number" ? one : typeof one === "string" && one.trim() !== "" ? Number(one) : NaN;
  if (Number.isNaN(n)) return false;
  if (c.gt !== undefined) return n > c.gt;
  if (c.gte !== undefined) return n >= c.gte;
  if (c.lt !== undefined) return n < c.lt;
  if (c.lte !== undefined) return n <= c.lte;
  return false;
}
