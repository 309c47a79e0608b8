import { qualifyKey, type Flow, type Node } from "../definition/flow.ts";
import type { Sprint } from "../sprint.ts";

/** Send a text and go on. */
export function enterMessage(s: Sprint, flow: Flow, node: Extract<Node, { type: "message" }>): string {
  s.say(qualifyKey(flow, node.text), s.params(node.params));
  return node.next;
}
