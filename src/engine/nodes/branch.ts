import { holds } from "../conditions.ts";
import type { Node } from "../definition/flow.ts";
import type { Sprint } from "../sprint.ts";

/** Go to the first case whose condition holds, else the default. */
export function enterBranch(s: Sprint, node: Extract<Node, { type: "branch" }>): string {
  const facts = s.facts();
  return node.cases.find((c) => holds(c.when, facts))?.next ?? node.default;
}
