// Every node kind, in the order editors list them. A new kind: a file under nodes/ and a line here.
import { z } from "zod";
import { branch } from "./branch.ts";
import { consent } from "./consent.ts";
import { emit } from "./emit.ts";
import { end } from "./end.ts";
import type { Behaviour } from "./kind.ts";
import { message } from "./message.ts";
import { question } from "./question.ts";
import { set } from "./set.ts";
import { subflow } from "./subflow.ts";

const KINDS = [
  message,
  question,
  consent,
  branch,
  set,
  emit,
  subflow,
  end,
] as const;

// The schemas as a tuple, so the union's type lists each kind (`map` alone types them as an array).
type SchemasOf<T extends readonly unknown[]> = { -readonly [I in keyof T]: T[I] extends { schema: infer S } ? S : never };
type Schemas = SchemasOf<typeof KINDS>;

/** One step of a flow. Only `question` and `consent` wait for the person. */
export const Node = z.discriminatedUnion("type", KINDS.map((k) => k.schema) as unknown as Schemas);
export type Node = z.infer<typeof Node>;
export type NodeType = Node["type"];

const byType = new Map<string, (typeof KINDS)[number]>(KINDS.map((k) => [k.type, k]));

/** The behaviour of a node's kind. */
export function kindOf<N extends Node>(node: N): Behaviour<N> {
  // Each kind handles only its own nodes, and `type` picks it: the one place that is taken on trust.
  return byType.get(node.type) as unknown as Behaviour<N>;
}
