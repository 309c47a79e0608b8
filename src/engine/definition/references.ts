import type { FlowSource } from "../context.ts";
import type { Condition, Flow, ValueRef } from "./flow.ts";

// Computed once per flow object: flows are immutable once loaded.
const cache = new WeakMap<Flow, ReadonlySet<string>>();

/**
 * The answer names a run of this flow may need later: those its own conditions, messages, `set` and
 * `emit` nodes refer to, and those of every flow it can enter (sub-flows see their parents' answers).
 * Only these are kept in the session; every answer still reaches the host as an event. This keeps a
 * session small, so a turn at question 50 costs what one at question 1 does.
 */
export function referencedAnswers(flow: Flow, flows: FlowSource): ReadonlySet<string> {
  const known = cache.get(flow);
  if (known) return known;
  const out = new Set<string>();
  const seen = new Set<string>();
  const visit = (f: Flow): void => {
    if (seen.has(f.id)) return;
    seen.add(f.id);
    for (const node of Object.values(f.nodes)) {
      if (node.type === "branch") for (const c of node.cases) conditionRefs(c.when, out);
      if ("params" in node && node.params) for (const v of Object.values(node.params)) valueRef(v, out);
      if (node.type === "set") valueRef(node.value, out);
      if (node.type === "emit") for (const v of Object.values(node.data)) valueRef(v, out);
      if (node.type === "flow") {
        const sub = flows.get(node.flow);
        if (sub) visit(sub);
      }
    }
  };
  visit(flow);
  cache.set(flow, out);
  return out;
}

function conditionRefs(c: Condition, out: Set<string>): void {
  if (c.answer !== undefined) out.add(c.answer);
  c.all?.forEach((x) => conditionRefs(x, out));
  c.any?.forEach((x) => conditionRefs(x, out));
  if (c.not) conditionRefs(c.not, out);
}

function valueRef(v: ValueRef, out: Set<string>): void {
  if (typeof v === "object" && "answer" in v) out.add(v.answer);
}
