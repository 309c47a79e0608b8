import type { Node } from "../definition/flow.ts";
import type { Sprint } from "../sprint.ts";

/** Set a contact field (language, territory, …) from a literal, an answer or a start parameter. */
export function enterSet(s: Sprint, node: Extract<Node, { type: "set" }>): string {
  const value = s.resolve(node.value);
  if (value !== undefined && value !== "") s.setField(node.field, String(value));
  return node.next;
}
