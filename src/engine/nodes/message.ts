// `message`: send a text and go on.
import { z } from "zod";
import { NodeId, qualifyKey, TextKey, TextParams } from "../definition/parts.ts";
import { valuesAnswers } from "../definition/refers.ts";
import { nodeKind } from "./kind.ts";

export const MessageNode = z
  .object({ type: z.literal("message"), text: TextKey, params: TextParams, next: NodeId })
  .strict();
export type MessageNode = z.infer<typeof MessageNode>;

export const message = nodeKind(MessageNode, {
  exits: (node) => [{ via: "next", to: node.next }],
  answers: (node, out) => valuesAnswers(node.params, out),
  texts: (node) => [{ via: "text", key: node.text }],
  enter(s, at, node) {
    s.say(qualifyKey(at.flow, node.text), s.params(node.params));
    return node.next;
  },
});
