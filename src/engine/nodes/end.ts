import { beginFlow } from "../consent-gate.ts";
import { qualifyKey, type Flow, type Node } from "../definition/flow.ts";
import type { Sprint } from "../sprint.ts";

/**
 * Complete the run; enter the flow it was put in front of (consent first), or go back to the flow
 * that entered it, or complete the session.
 */
export function enterEnd(s: Sprint, flow: Flow, node: Extract<Node, { type: "end" }>): string | undefined {
  if (node.text) s.say(qualifyKey(flow, node.text), s.params(node.params));
  const run = s.session.runs.pop();
  if (run) s.emit({ type: "flow.completed", run: run.id, flow: run.flow, version: run.version });
  s.session.wait = null;
  const then = run?.then && s.ctx.flows.get(run.then.flow);
  // Where the person was going: it takes this run's place (and asks for consent again if it wasn't given).
  if (run?.then && then) return beginFlow(s, then, run.then.params);
  const parent = s.run;
  if (!parent) {
    s.session.status = "completed";
    return undefined;
  }
  const parentFlow = s.flowOf(parent);
  const at = parentFlow?.nodes[parent.node];
  // The parent stands at the `flow` node that entered this run, or at the question a link interrupted:
  // back to it, asked again.
  if (at?.type === "question") {
    s.say("session:back_to_where");
    return parent.node;
  }
  return at?.type === "flow" ? at.next : undefined;
}
