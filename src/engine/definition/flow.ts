// A flow as written in `flows/<id>.yaml`, and everything a flow file is made of.
import { z } from "zod";
import { kindOf, Node } from "../nodes/registry.ts";
import type { Exit } from "../nodes/kind.ts";
import type { ConsentNode } from "../nodes/consent.ts";
import type { QuestionNode } from "../nodes/question.ts";
import { FlowId, NodeId, TextKey } from "./parts.ts";

export * from "./parts.ts";
export * from "./answer-spec.ts";
export { Node, type NodeType } from "../nodes/registry.ts";
export { MessageNode } from "../nodes/message.ts";
export { QuestionNode } from "../nodes/question.ts";
export { ConsentNode } from "../nodes/consent.ts";
export { BranchNode } from "../nodes/branch.ts";
export { SetNode } from "../nodes/set.ts";
export { EmitNode } from "../nodes/emit.ts";
export { SubflowNode } from "../nodes/subflow.ts";
export { EndNode } from "../nodes/end.ts";
export type WaitingNode = QuestionNode | ConsentNode;

/** A flow: a survey, a dialogue or a piece of one, as written in `flows/<id>.yaml`. */
export const Flow = z
  .object({
    $schema: z.string().optional(),
    id: FlowId,
    version: z.number().int().positive().describe("raise it when the flow changes; running sessions then restart it"),
    title: TextKey.optional(),
    texts: z.string().regex(/^[a-z][a-z0-9_-]*$/).optional().describe("locale namespace of unqualified text keys; default the flow id"),
    start: NodeId.optional().describe("first node; default the first one listed"),
    nodes: z.record(NodeId, Node).refine((n) => Object.keys(n).length > 0, "a flow needs at least one node"),
  })
  .strict();
export type Flow = z.infer<typeof Flow>;
export type FlowInput = z.input<typeof Flow>;

/** The node a flow starts at. */
export function startNode(flow: Flow): string {
  return flow.start ?? (Object.keys(flow.nodes)[0] as string);
}

/** Every node id a node can go to, with the property that names it. */
export function exitsOf(node: Node): Exit[] {
  return kindOf(node).exits(node);
}
