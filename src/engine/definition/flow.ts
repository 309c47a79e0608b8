// A flow as written in `flows/<id>.yaml`, and everything a flow file is made of.
import { z } from "zod";
import { kindOf, Node } from "../nodes/registry.ts";
import type { Exit, NodeProblem, TextRef } from "../nodes/kind.ts";
import type { ConsentNode } from "../nodes/consent.ts";
import type { QuestionNode } from "../nodes/question.ts";
import { FlowId, NodeId, TextKey, type Condition } from "./parts.ts";

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
export type { Exit, NodeProblem, TextRef } from "../nodes/kind.ts";
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

/** Whether a node waits for the person (a loop through one is not a loop the engine spins on). */
export function waitsAt(node: Node): boolean {
  return kindOf(node).answer !== undefined;
}

/** The flows a node can enter, with the property that names each. */
export function flowsOf(node: Node): Exit[] {
  return kindOf(node).flows?.(node) ?? [];
}

/** The conditions a node tests, with the property that names each. */
export function conditionsOf(node: Node): Array<{ via: string; when: Condition }> {
  return kindOf(node).conditions?.(node) ?? [];
}

/** The text keys a node shows, unqualified, with the property that names each. */
export function textsOf(node: Node): TextRef[] {
  return kindOf(node).texts?.(node) ?? [];
}

/** Mistakes in a node its schema can't see, with the property each is about. */
export function problemsOf(node: Node): NodeProblem[] {
  return kindOf(node).problems?.(node) ?? [];
}
