// `flow`: enter another flow (after the consent flow, if consent is missing); when it completes, the
// walk comes back to this node's `next`.
import { z } from "zod";
import { FlowId, NodeId, ValueRef } from "../definition/parts.ts";
import { valuesAnswers } from "../definition/refers.ts";
import { nodeKind } from "./kind.ts";

export const SubflowNode = z
  .object({
    type: z.literal("flow"),
    flow: FlowId,
    params: z
      .record(z.string(), ValueRef)
      .optional()
      .describe("params the flow starts with, over those of this run (a meeting chosen from a list as `event`)"),
    next: NodeId,
  })
  .strict();
export type SubflowNode = z.infer<typeof SubflowNode>;

export const subflow = nodeKind(SubflowNode, {
  exits: (node) => [{ via: "next", to: node.next }],
  // Sub-flows see their parents' answers, so what they read is kept for the parent's run too.
  flows: (node) => [{ via: "flow", to: node.flow }],
  answers: (node, out) => valuesAnswers(node.params, out),
  enter: (_s, at, node) => at.enterFlow(node.flow, node.params),
  resume: (_s, _at, node) => node.next,
});
