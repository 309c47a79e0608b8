// `end`: say a last text, if any, and complete the run: the walk goes on where that leads (the flow
// it was put in front of, the parent's node that entered it, or nowhere: the session completes).
import { z } from "zod";
import { qualifyKey, TextKey, TextParams } from "../definition/parts.ts";
import { valuesAnswers } from "../definition/refers.ts";
import { nodeKind } from "./kind.ts";

export const EndNode = z.object({ type: z.literal("end"), text: TextKey.optional(), params: TextParams }).strict();
export type EndNode = z.infer<typeof EndNode>;

export const end = nodeKind(EndNode, {
  exits: () => [],
  answers: (node, out) => valuesAnswers(node.params, out),
  texts: (node) => (node.text ? [{ via: "text", key: node.text }] : []),
  enter(s, at, node) {
    if (node.text) s.say(qualifyKey(at.flow, node.text), s.params(node.params));
    return at.completeRun();
  },
});
