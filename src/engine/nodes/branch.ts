// `branch`: go to the first case whose condition holds, else the default.
import { z } from "zod";
import { holds } from "../conditions.ts";
import { Condition, NodeId } from "../definition/parts.ts";
import { conditionAnswers } from "../definition/refers.ts";
import { nodeKind } from "./kind.ts";

export const BranchNode = z
  .object({
    type: z.literal("branch"),
    cases: z.array(z.object({ when: Condition, next: NodeId }).strict()).min(1),
    default: NodeId,
  })
  .strict();
export type BranchNode = z.infer<typeof BranchNode>;

export const branch = nodeKind(BranchNode, {
  exits: (node) => [...node.cases.map((c, i) => ({ via: `cases.${i}.next`, to: c.next })), { via: "default", to: node.default }],
  answers: (node, out) => node.cases.forEach((c) => conditionAnswers(c.when, out)),
  conditions: (node) => node.cases.map((c, i) => ({ via: `cases.${i}.when`, when: c.when })),
  enter(s, _at, node) {
    const facts = s.facts();
    return node.cases.find((c) => holds(c.when, facts))?.next ?? node.default;
  },
});
