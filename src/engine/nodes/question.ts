// `question`: ask, wait for the answer, record it typed, and go on (or re-ask with a hint).
import { z } from "zod";
import { parseAnswer, type Said } from "../answers/index.ts";
import { AnswerSpec, answerProblems, type Option } from "../definition/answer-spec.ts";
import { NodeId, qualifyKey, TextKey, TextParams, type FlowNames } from "../definition/parts.ts";
import { conditionAnswers, valuesAnswers } from "../definition/refers.ts";
import { holds } from "../conditions.ts";
import type { Choice, Message } from "../io.ts";
import { nodeKind, type At, type Exit, type NodeSprint, type TextRef } from "./kind.ts";
import { startWait } from "./wait.ts";

export const QuestionNode = z
  .object({
    type: z.literal("question"),
    text: TextKey,
    params: TextParams,
    answer: AnswerSpec,
    result: z.string().regex(/^[a-z][a-z0-9_]*$/).optional().describe("name the answer is stored under; default the node id"),
    optional: z.boolean().default(false).describe("the person may skip it"),
    attempts: z.number().int().min(1).max(10).default(3).describe("invalid answers before the invalid exit"),
    hint: TextKey.optional().describe("text shown after an invalid answer, instead of the default for the answer type"),
    next: NodeId,
    invalid: NodeId.optional().describe("where to go after too many invalid answers; default next"),
    skipped: NodeId.optional().describe("where to go when skipped; default next"),
    timeout: z
      .object({ after: z.number().int().positive().describe("seconds"), next: NodeId })
      .strict()
      .optional()
      .describe("where to go when no answer comes in time"),
  })
  .strict();
export type QuestionNode = z.infer<typeof QuestionNode>;

export const question = nodeKind(QuestionNode, {
  exits: exitsOfQuestion,
  answers: answersOfQuestion,
  conditions: (node) => optionsOf(node.answer).flatMap((o, i) => (o.when ? [{ via: `answer.options.${i}.when`, when: o.when }] : [])),
  texts: textsOfQuestion,
  problems: (node) => answerProblems(node.answer).map((p) => ({ via: `answer.${p.via}`, message: p.message })),
  enter: enterQuestion,
  ask: askQuestion,
  answer: answerQuestion,
  skip: skipQuestion,
  timeout: (node) => node.timeout?.next,
  // A link interrupted the person here, and its flow is done: back to this question, asked again.
  resume(s, at) {
    s.say("session:back_to_where");
    return at.id;
  },
});

/** Where a question can go: on, and on an invalid answer, a skip or a timeout when those are set. */
function exitsOfQuestion(node: QuestionNode): Exit[] {
  const out = [{ via: "next", to: node.next }];
  if (node.invalid) out.push({ via: "invalid", to: node.invalid });
  if (node.skipped) out.push({ via: "skipped", to: node.skipped });
  if (node.timeout) out.push({ via: "timeout.next", to: node.timeout.next });
  return out;
}

/** The answers a question reads: in its params, and in its options' params and conditions. */
function answersOfQuestion(node: QuestionNode, out: Set<string>): void {
  valuesAnswers(node.params, out);
  for (const o of optionsOf(node.answer)) {
    valuesAnswers(o.params, out);
    if (o.when) conditionAnswers(o.when, out);
  }
}

function optionsOf(spec: AnswerSpec): Option[] {
  return spec.type === "choice" || spec.type === "multiple_choice" ? spec.options : [];
}

/**
 * What the question accepts now: a choice's options whose `when` holds, so numbers and buttons count
 * only those offered (a list of the person's meetings). The spec itself when no option has a `when`.
 */
export function offeredSpec(s: NodeSprint, spec: AnswerSpec): AnswerSpec {
  if ((spec.type !== "choice" && spec.type !== "multiple_choice") || !spec.options.some((o) => o.when)) return spec;
  const facts = s.facts();
  return { ...spec, options: spec.options.filter((o) => !o.when || holds(o.when, facts)) };
}

/** The texts a question shows: its own, its hint, its options' labels and synonyms, its scale's labels. */
function textsOfQuestion(node: QuestionNode): TextRef[] {
  const out: TextRef[] = [{ via: "text", key: node.text }];
  if (node.hint) out.push({ via: "hint", key: node.hint });
  const spec = node.answer;
  if (spec.type === "choice" || spec.type === "multiple_choice") {
    for (const [i, o] of spec.options.entries()) {
      out.push({ via: `answer.options.${i}.label`, key: o.label });
      if (o.synonyms) out.push({ via: `answer.options.${i}.synonyms`, key: o.synonyms });
    }
  }
  if (spec.type === "scale") {
    for (const [n, key] of Object.entries(spec.labels)) out.push({ via: `answer.labels.${n}`, key });
  }
  return out;
}

/** Ask the question and wait for the answer. */
function enterQuestion(s: NodeSprint, at: At, node: QuestionNode): undefined {
  askQuestion(s, at, node);
  return startWait(s, at.id, node.timeout?.after);
}

/** Send the question (again), with its choices. */
function askQuestion(s: NodeSprint, at: At, node: QuestionNode): void {
  s.say(qualifyKey(at.flow, node.text), s.params(node.params), {
    choices: choicesOf(s, at.flow, offeredSpec(s, node.answer)),
    node: at.id,
    expects: expects(node.answer),
    ...(node.optional ? { optional: true } : {}),
  });
}

function choicesOf(s: NodeSprint, flow: FlowNames, spec: AnswerSpec): Choice[] {
  switch (spec.type) {
    case "choice":
    case "multiple_choice":
      return spec.options.map((o) => ({ id: o.id, key: qualifyKey(flow, o.label), ...(o.params ? { params: s.params(o.params) } : {}) }));
    case "yes_no":
      return yesNoChoices();
    case "scale": {
      const out: Choice[] = [];
      for (let n = spec.min; n <= spec.max; n++) {
        const label = spec.labels[String(n)];
        out.push({ id: String(n), key: label ? qualifyKey(flow, label) : "common:scale_point", params: { n }, n });
      }
      return out;
    }
    case "language":
      return s.languageChoices();
    default:
      return [];
  }
}

/** Yes and No, in that order (so 1 and 2 mean what they show). */
export function yesNoChoices(): Choice[] {
  return [
    { id: "yes", key: "common:yes" },
    { id: "no", key: "common:no" },
  ];
}

function expects(spec: AnswerSpec): NonNullable<Message["expects"]> {
  switch (spec.type) {
    case "multiple_choice":
      return "multiple_choice";
    case "location":
      return "location";
    case "number":
      return "number";
    case "date":
      return "date";
    case "text":
      return spec.media.includes("voice") ? "voice_or_text" : "text";
    default:
      return "choice";
  }
}

/** Take an answer to the waiting question: record it and go on, or re-ask with a hint. */
function answerQuestion(s: NodeSprint, at: At, node: QuestionNode, said: Said): string | undefined {
  const run = s.run;
  const wait = s.session.wait;
  if (!run || !wait) return undefined;
  const id = at.id;
  if (said.type === "media" && !(said.media === "voice" && node.answer.type === "text" && node.answer.media.includes("voice"))) {
    // A photo or sticker is not a wrong answer: say what we can read, don't count an attempt.
    s.say("hints:media_unsupported");
    askQuestion(s, at, node);
    return undefined;
  }
  const parsed = parseAnswer(offeredSpec(s, node.answer), said, s.answerEnv(at.flow));
  if (parsed.ok) {
    s.session.wait = null;
    s.recordAnswer(run, id, node.result ?? id, { value: parsed.value, skipped: false });
    return node.next;
  }
  wait.attempts += 1;
  if (wait.attempts >= node.attempts) {
    s.emit({ type: "answer.invalid", run: run.id, flow: run.flow, question: id, attempts: wait.attempts });
    s.session.wait = null;
    // Left without an answer, it is still the question BACK returns to.
    s.passed(run, id);
    s.say("hints:moving_on");
    return node.invalid ?? node.next;
  }
  s.say(node.hint ? qualifyKey(at.flow, node.hint) : parsed.hint.key, parsed.hint.params);
  askQuestion(s, at, node);
  return undefined;
}

/** Skip the waiting question if it is optional; else say it needs an answer. */
function skipQuestion(s: NodeSprint, at: At, node: QuestionNode): string | undefined {
  const run = s.run;
  if (!run) return undefined;
  if (!node.optional) {
    s.say("hints:required");
    askQuestion(s, at, node);
    return undefined;
  }
  s.session.wait = null;
  s.recordAnswer(run, at.id, node.result ?? at.id, { value: null, skipped: true });
  return node.skipped ?? node.next;
}
