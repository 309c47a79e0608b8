import { parseAnswer, type Said } from "../answers/index.ts";
import { qualifyKey, type AnswerSpec, type Flow, type QuestionNode } from "../definition/flow.ts";
import type { Choice, Message } from "../io.ts";
import type { Sprint } from "../sprint.ts";
import { startWait } from "./wait.ts";

/** Ask the question and wait for the answer. */
export function enterQuestion(s: Sprint, flow: Flow, id: string, node: QuestionNode): undefined {
  askQuestion(s, flow, id, node);
  return startWait(s, id, node.timeout?.after);
}

/** Send the question (again), with its choices. */
export function askQuestion(s: Sprint, flow: Flow, id: string, node: QuestionNode): void {
  s.say(qualifyKey(flow, node.text), s.params(node.params), {
    choices: choicesOf(s, flow, node.answer),
    node: id,
    expects: expects(node.answer),
    ...(node.optional ? { optional: true } : {}),
  });
}

function choicesOf(s: Sprint, flow: Flow, spec: AnswerSpec): Choice[] {
  switch (spec.type) {
    case "choice":
    case "multiple_choice":
      return spec.options.map((o) => ({ id: o.id, key: qualifyKey(flow, o.label) }));
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
export function answerQuestion(s: Sprint, flow: Flow, id: string, node: QuestionNode, said: Said): string | undefined {
  const run = s.run;
  const wait = s.session.wait;
  if (!run || !wait) return undefined;
  if (said.type === "media" && !(said.media === "voice" && node.answer.type === "text" && node.answer.media.includes("voice"))) {
    // A photo or sticker is not a wrong answer: say what we can read, don't count an attempt.
    s.say("hints:media_unsupported");
    askQuestion(s, flow, id, node);
    return undefined;
  }
  const parsed = parseAnswer(node.answer, said, s.answerEnv(flow));
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
  s.say(node.hint ? qualifyKey(flow, node.hint) : parsed.hint.key, parsed.hint.params);
  askQuestion(s, flow, id, node);
  return undefined;
}

/** Skip the waiting question if it is optional; else say it needs an answer. */
export function skipQuestion(s: Sprint, flow: Flow, id: string, node: QuestionNode): string | undefined {
  const run = s.run;
  if (!run) return undefined;
  if (!node.optional) {
    s.say("hints:required");
    askQuestion(s, flow, id, node);
    return undefined;
  }
  s.session.wait = null;
  s.recordAnswer(run, id, node.result ?? id, { value: null, skipped: true });
  return node.skipped ?? node.next;
}
