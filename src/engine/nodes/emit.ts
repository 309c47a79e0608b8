// `emit`: tell the host something happened (feedback.submitted, survey.completed, rsvp.recorded, …).
import { z } from "zod";
import { NodeId, ValueRef } from "../definition/parts.ts";
import { valuesAnswers } from "../definition/refers.ts";
import { nodeKind } from "./kind.ts";

export const EmitNode = z
  .object({
    type: z.literal("emit"),
    event: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, "must be a dotted name like survey.completed"),
    data: z.record(z.string(), ValueRef).default({}),
    next: NodeId,
  })
  .strict();
export type EmitNode = z.infer<typeof EmitNode>;

/** An emit of this name asks for the person's data, as MY DATA does (a menu option): the engine's own event, not the flow's. */
export const DATA_REQUESTED = "data.requested";

export const emit = nodeKind(EmitNode, {
  exits: (node) => [{ via: "next", to: node.next }],
  answers: (node, out) => valuesAnswers(node.data, out),
  enter(s, _at, node) {
    if (node.event === DATA_REQUESTED) {
      s.emit({ type: "data.requested", at: s.messages.length });
      return node.next;
    }
    const run = s.run;
    if (run) {
      const data: Record<string, unknown> = {};
      for (const [k, ref] of Object.entries(node.data)) {
        if (typeof ref === "object" && "answer" in ref) {
          // Answers travel typed (choices stay lists, voice notes keep their kind), not flattened.
          const a = s.facts().answer(ref.answer);
          data[k] = a ? (a.skipped ? null : a.value) : null;
        } else data[k] = s.resolve(ref) ?? null;
      }
      s.emit({ type: "emitted", name: node.event, data, run: run.id, flow: run.flow, version: run.version });
    }
    return node.next;
  },
});
