// `flow`: enter another flow (after the consent flow, if consent is missing); when it completes, the
// walk comes back to this node's `next`.
import { z } from "zod";
import { FlowId, NodeId } from "../definition/parts.ts";
import { nodeKind } from "./kind.ts";

export const SubflowNode = z.object({ type: z.literal("flow"), flow: FlowId, next: NodeId }).strict();
export type SubflowNode = z.infer<typeof SubflowNode>;

export const subflow = nodeKind(SubflowNode, {
  exits: (node) => [{ via: "next", to: node.next }],
  // Sub-flows see their parents' answers, so what they read is kept for the parent's run too.
  flows: (node) => [{ via: "flow", to: node.flow }],
  enter: (_s, at, node) => at.enterFlow(node.flow),
  resume: (_s, _at, node) => node.next,
});
