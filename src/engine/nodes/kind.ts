// What a node kind is: its schema, where it can go, what it reads, and how it runs. Each kind is one
// file under nodes/, listed in registry.ts. This contract names neither the Flow nor the Sprint
// (both depend on the kinds): handlers get what they may use as interfaces, so no import cycle.
import type { z } from "zod";
import type { AnswerEnv, Said } from "../answers/index.ts";
import type { Facts } from "../conditions.ts";
import type { Condition, FlowNames, ValueRef } from "../definition/parts.ts";
import type { Choice, Event, Message, Params } from "../io.ts";
import type { Answered, Run, Session } from "../session.ts";

/** A node (or flow) id a node names, with the property that names it. */
export interface Exit {
  via: string;
  to: string;
}

/** A text key a node shows, unqualified, with the property that names it. */
export interface TextRef {
  via: string;
  key: string;
}

/** A mistake in a node its schema can't see, at the property it is about. */
export interface NodeProblem {
  via: string;
  message: string;
}

/** What a node handler may do in the turn being made (the Sprint provides it). */
export interface NodeSprint {
  readonly session: Session;
  /** The innermost run: the flow being walked. */
  readonly run: Run | undefined;
  /** The time of this turn, ISO 8601. */
  readonly now: string;
  readonly lang: string;
  /** What this turn has said so far. */
  readonly messages: readonly Message[];
  say(key: string, params?: Params, more?: Partial<Omit<Message, "key" | "params" | "lang">>): void;
  emit(event: Event): void;
  setField(field: string, value: string): void;
  exitAll(reason: Extract<Event, { type: "flow.exited" }>["reason"]): string[];
  facts(): Facts;
  resolve(ref: ValueRef): string | number | boolean | undefined;
  params(refs: Record<string, ValueRef> | undefined): Params;
  passed(run: Run, question: string): void;
  recordAnswer(run: Run, question: string, result: string, answered: Omit<Answered, "lang" | "at">): void;
  languageChoices(): Choice[];
  answerEnv(flow?: FlowNames): AnswerEnv;
}

/** Where a node runs, and the moves on the run stack only the walk can make for it. */
export interface At {
  /** The flow the node belongs to (its texts namespace). */
  readonly flow: FlowNames;
  /** The node's id. */
  readonly id: string;
  /**
   * Begin a run of another flow on top (consent first), with this run's params and `params` over them:
   * the node to walk from, or undefined if it failed.
   */
  enterFlow(flow: string, params?: Record<string, ValueRef>): string | undefined;
  /** Complete the innermost run: where the walk goes on, or undefined when it stops. */
  completeRun(): string | undefined;
}

/** How a node of one kind behaves; optional parts are for kinds that have them. */
export interface Behaviour<N> {
  /** Every node id it can go to. */
  exits(node: N): Exit[];
  /** Add the answer names it reads (conditions, params, values): only these are kept in a session. */
  answers?(node: N, out: Set<string>): void;
  /** The flows it can enter. */
  flows?(node: N): Exit[];
  /** The conditions it tests (validation checks the choices they name). */
  conditions?(node: N): Array<{ via: string; when: Condition }>;
  /** The text keys it shows (validation checks every language has them). */
  texts?(node: N): TextRef[];
  /** Mistakes its schema can't see (a max below its min, a choice id used twice). */
  problems?(node: N): NodeProblem[];
  /** Run it: the next node to walk to, or undefined when the walk stops (a wait, the end, a failure). */
  enter(s: NodeSprint, at: At, node: N): string | undefined;
  /** Waiting kinds: send the prompt again. */
  ask?(s: NodeSprint, at: At, node: N): void;
  /** Waiting kinds: take what the person said; the next node, or undefined to stay or stop. */
  answer?(s: NodeSprint, at: At, node: N, said: Said): string | undefined;
  /** Waiting kinds that can be skipped: the SKIP command. */
  skip?(s: NodeSprint, at: At, node: N): string | undefined;
  /** Waiting kinds: where a timer that ran out leads, if anywhere (else the person gets a reminder). */
  timeout?(node: N): string | undefined;
  /** When a run this node entered (or that interrupted it) completes: where its own run goes on. */
  resume?(s: NodeSprint, at: At, node: N): string | undefined;
}

/** The schema of a kind's nodes: an object whose `type` is one literal. */
export type KindSchema = z.ZodObject<{ type: z.ZodLiteral<string> }>;

/** A node kind: its `type`, the zod schema of its nodes, and its behaviour. */
export interface NodeKind<S extends KindSchema> extends Behaviour<z.output<S>> {
  readonly type: z.output<S>["type"];
  readonly schema: S;
}

/** Declare a node kind (the schema's `type` literal names it). */
export function nodeKind<S extends KindSchema>(schema: S, behaviour: Behaviour<z.output<S>>): NodeKind<S> {
  return { type: schema.shape.type.value, schema, ...behaviour };
}
