import { z } from "zod";
import { type AnswerValue } from "./session.ts";

/** What a person did, as any channel reports it. */
export const Input = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("start"),
    flow: z.string().optional(),
    params: z.record(z.string(), z.string()).default({}),
  }),
  z.object({ type: z.literal("text"), text: z.string(), facts: z.record(z.string(), z.string()).optional() }),
  z.object({
    type: z.literal("choice"),
    /** An option id, or a command id from a button. */
    id: z.string(),
    /** The question the button belonged to: a tap on an old keyboard is ignored. */
    node: z.string().optional(),
    /**
     * What the host looked up for this turn (the next event in the person's territory, a meeting full
     * by now): set on the params of the run the person answers in, replacing what it had.
     */
    facts: z.record(z.string(), z.string()).optional(),
  }),
  z.object({ type: z.literal("choices"), ids: z.array(z.string()), node: z.string().optional() }),
  z.object({ type: z.literal("location"), lat: z.number(), lon: z.number() }),
  z.object({
    type: z.literal("media"),
    media: z.enum(["voice", "audio", "photo", "video", "sticker", "document", "other"]),
    ref: z.string(),
  }),
  z.object({ type: z.literal("timeout"), turn: z.number().int() }),
]);
export type Input = z.infer<typeof Input>;
export type InputOf<T extends Input["type"]> = Extract<Input, { type: T }>;

export type Params = Record<string, string | number>;

/** A choice the person can pick: rendered as a numbered line or a button. */
export interface Choice {
  id: string;
  /** Text key of the label. */
  key: string;
  /** Language of the label when it is not the conversation's (the language menu). */
  lang?: string;
  params?: Params;
  /** The number to show and accept for it, when it is not its position (scales). */
  n?: number;
}

/** A message for the person, as text keys: the host renders it in `lang`. */
export interface Message {
  key: string;
  params: Params;
  lang: string;
  choices: Choice[];
  /** The question this message asks, so renderers can tie buttons to it. */
  node?: string;
  /** What the question expects, so a renderer can offer the right input (location button, toggles). */
  expects?: "choice" | "multiple_choice" | "location" | "text" | "number" | "date" | "voice_or_text";
  /** The question may be skipped. */
  optional?: boolean;
}

/** Something that happened in a turn, for the host to apply (store, queue, count). */
export type Event =
  | { type: "flow.started"; run: string; flow: string; version: number; parent?: string }
  | { type: "flow.completed"; run: string; flow: string; version: number }
  | { type: "flow.exited"; run: string; flow: string; version: number; reason: "restart" | "outdated" | "declined" | "replaced" | "error" }
  | {
      type: "answer.recorded";
      run: string;
      flow: string;
      version: number;
      question: string;
      result: string;
      value: AnswerValue | null;
      skipped: boolean;
      lang: string;
      at: string;
    }
  | { type: "answer.cleared"; run: string; flow: string; question: string; result: string }
  | { type: "answer.invalid"; run: string; flow: string; question: string; attempts: number }
  | { type: "consent.given"; run: string; flow: string; version: string; at: string }
  | { type: "consent.declined"; run: string; flow: string; version: string; discard: string[] }
  | { type: "contact.changed"; field: string; value: string }
  | { type: "contact.stopped" }
  | { type: "contact.resumed" }
  | { type: "erasure.requested" }
  /** MY DATA: the host puts the person's summary among the turn's messages at `at` (the engine knows no database). */
  | { type: "data.requested"; at: number }
  | { type: "emitted"; name: string; data: Record<string, unknown>; run: string; flow: string; version: number }
  | { type: "wait.started"; node: string; turn: number; timeout?: number }
  | { type: "input.ignored"; reason: "stopped" | "stale_timer" | "stale_button" }
  | { type: "error"; code: "step_limit" | "depth_limit" | "missing_flow" | "missing_node"; detail: string };
export type EventType = Event["type"];

/** What one turn produced: the new session, what to send and what happened. */
export interface Turn<S> {
  session: S;
  messages: Message[];
  events: Event[];
}
