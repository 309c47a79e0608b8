import type { FlowSource } from "../context.ts";
import { kindOf } from "../nodes/registry.ts";
import type { Flow } from "./flow.ts";

// Computed once per flow object: flows are immutable once loaded.
const cache = new WeakMap<Flow, ReadonlySet<string>>();

/**
 * The answer names a run of this flow may need later: those its own nodes refer to (conditions,
 * message params, `set` and `emit` values), and those of every flow it can enter (sub-flows see their
 * parents' answers). Only these are kept in the session; every answer still reaches the host as an
 * event. This keeps a session small, so a turn at question 50 costs what one at question 1 does.
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
      const kind = kindOf(node);
      kind.answers?.(node, out);
      for (const { to } of kind.flows?.(node) ?? []) {
        const sub = flows.get(to);
        if (sub) visit(sub);
      }
    }
  };
  visit(flow);
  cache.set(flow, out);
  return out;
}
