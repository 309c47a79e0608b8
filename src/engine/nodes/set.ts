// `set`: set a contact field (language, territory, …) from a literal, an answer or a start parameter.
import { z } from "zod";
import { FieldName, NodeId, ValueRef } from "../definition/parts.ts";
import { valueAnswers } from "../definition/refers.ts";
import { nodeKind } from "./kind.ts";

export const SetNode = z
  .object({
    type: z.literal("set"),
    field: FieldName,
    value: ValueRef,
    next: NodeId,
  })
  .strict();
export type SetNode = z.infer<typeof SetNode>;

export const set = nodeKind(SetNode, {
  exits: (node) => [{ via: "next", to: node.next }],
  answers: (node, out) => valueAnswers(node.value, out),
  enter(s, _at, node) {
    const value = s.resolve(node.value);
    if (value !== undefined && value !== "") s.setField(node.field, String(value));
    return node.next;
  },
});
