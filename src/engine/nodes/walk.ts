import type { Flow, Node } from "../definition/flow.ts";
import type { Sprint } from "../sprint.ts";
import { enterBranch } from "./branch.ts";
import { enterConsent } from "./consent.ts";
import { enterEmit } from "./emit.ts";
import { enterEnd } from "./end.ts";
import { fail } from "./fail.ts";
import { enterMessage } from "./message.ts";
import { enterQuestion } from "./question.ts";
import { enterSet } from "./set.ts";
import { enterSubflow } from "./subflow.ts";

/** Walk from a node of the innermost run until the session waits, or every run has ended. */
export function walk(s: Sprint, from: string): void {
  let next: string | undefined = from;
  while (next !== undefined) {
    if (++s.steps > s.maxSteps) return fail(s, "step_limit", `more than ${s.maxSteps} steps in one turn at node "${next}"`);
    const run = s.run;
    if (!run) return;
    const flow = s.flowOf(run);
    if (!flow) return fail(s, "missing_flow", `flow "${run.flow}" version ${run.version} is not loaded`);
    const node = flow.nodes[next];
    if (!node) return fail(s, "missing_node", `flow "${flow.id}" has no node "${next}"`);
    run.node = next;
    next = enter(s, flow, next, node);
  }
}

function enter(s: Sprint, flow: Flow, id: string, node: Node): string | undefined {
  switch (node.type) {
    case "message":
      return enterMessage(s, flow, node);
    case "question":
      return enterQuestion(s, flow, id, node);
    case "consent":
      return enterConsent(s, flow, id, node);
    case "branch":
      return enterBranch(s, node);
    case "set":
      return enterSet(s, node);
    case "emit":
      return enterEmit(s, node);
    case "flow":
      return enterSubflow(s, node);
    case "end":
      return enterEnd(s, flow, node);
  }
}
