import { beginFlow } from "../consent-gate.ts";
import type { Node } from "../definition/flow.ts";
import type { Sprint } from "../sprint.ts";
import { fail } from "./fail.ts";

/** Enter another flow (after the consent flow, if consent is missing); when it ends, the walk comes back to this node's `next`. */
export function enterSubflow(s: Sprint, node: Extract<Node, { type: "flow" }>): string | undefined {
  const flow = s.ctx.flows.get(node.flow);
  if (!flow) return fail(s, "missing_flow", `flow "${node.flow}" is not loaded`);
  if (s.session.runs.length >= s.maxDepth) return fail(s, "depth_limit", `more than ${s.maxDepth} flows deep entering "${node.flow}"`);
  return beginFlow(s, flow, { ...(s.run?.params ?? {}) });
}
