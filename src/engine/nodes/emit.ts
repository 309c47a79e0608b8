import type { Node } from "../definition/flow.ts";
import type { Sprint } from "../sprint.ts";

/** Tell the host something happened (feedback.submitted, survey.completed, rsvp.recorded, …). */
export function enterEmit(s: Sprint, node: Extract<Node, { type: "emit" }>): string {
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
}
