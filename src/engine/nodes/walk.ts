import type { Sprint } from "../sprint.ts";
import { fail } from "./fail.ts";
import { kindOf, type Node } from "./registry.ts";
import { placeOf } from "./runs.ts";

/** Walk from a node of the innermost run until the session waits, or every run has ended. */
export function walk(s: Sprint, from: string): void {
  let next: string | undefined = from;
  while (next !== undefined) {
    if (++s.steps > s.maxSteps) return fail(s, "step_limit", `more than ${s.maxSteps} steps in one turn at node "${next}"`);
    const run = s.run;
    if (!run) return;
    const flow = s.flowOf(run);
    if (!flow) return fail(s, "missing_flow", `flow "${run.flow}" version ${run.version} is not loaded`);
    const node: Node | undefined = flow.nodes[next];
    if (!node) return fail(s, "missing_node", `flow "${flow.id}" has no node "${next}"`);
    run.node = next;
    next = kindOf(node).enter(s, placeOf(s, flow, next), node);
  }
}
