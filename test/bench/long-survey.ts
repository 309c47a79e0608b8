// A long survey built in memory: 60 single-choice questions of 4 options, reusing texts of the
// needs survey so every key exists. Both the engine benchmark and the grammY comparison use it.
import { Flow, qualifyKey, type EngineContext, type Message, type QuestionNode } from "../../src/engine/index.ts";
import { validateFlow } from "../../src/flows/validate.ts";
import type { Texts } from "../../src/i18n/texts.ts";
import { TestClock, testContext } from "../support/engine.ts";

export const LONG_SURVEY_ID = "long";
export const LONG_SURVEY_QUESTIONS = 60;

// Four-option questions of the needs survey (texts in `locales/en/needs.json`), used in turn.
const TEMPLATES: ReadonlyArray<{ text: string; options: readonly string[] }> = [
  { text: "priority.question", options: ["priority.housing", "priority.work", "priority.language", "priority.health"] },
  { text: "housing.question", options: ["housing.stable", "housing.reception", "housing.friends", "housing.none"] },
  { text: "language.course", options: ["language.attending", "language.wants", "language.cannot", "language.no_need"] },
  { text: "documents.question", options: ["documents.valid", "documents.renewing", "documents.asylum", "documents.none"] },
];

/** Node id of question `n` (1-based). */
export const questionId = (n: number): string => `q${n}`;

/** The long survey as a flow: q1 → q2 → … → q60 → thanks. */
export function longSurvey(questions = LONG_SURVEY_QUESTIONS): Flow {
  const nodes: Record<string, unknown> = {};
  for (let n = 1; n <= questions; n++) {
    const t = TEMPLATES[(n - 1) % TEMPLATES.length] as (typeof TEMPLATES)[number];
    nodes[questionId(n)] = {
      type: "question",
      text: t.text,
      answer: { type: "choice", options: t.options.map((label, i) => ({ id: `o${i + 1}`, label })) },
      next: n < questions ? questionId(n + 1) : "thanks",
    };
  }
  nodes.thanks = { type: "end", text: "thanks" };
  return Flow.parse({ id: LONG_SURVEY_ID, version: 1, texts: "needs", nodes });
}

/** An engine context whose entry flow is the long survey (English only, fixed clock); throws if the flow has problems. */
export function longSurveyContext(flow: Flow = longSurvey()): EngineContext & { texts: Texts } {
  const base = testContext({ languages: ["en"], clock: new TestClock(), entryFlow: flow.id, flows: { get: (id) => (id === flow.id ? flow : undefined) } });
  const problems = validateFlow(flow, "(memory)", {
    flows: new Map([[flow.id, { flow, file: "(memory)" }]]),
    languages: base.languages,
    hasText: (l, k) => base.texts.has(l, k),
  });
  if (problems.length > 0) throw new Error(`long survey has problems:\n${problems.map((p) => `${p.path}: ${p.message}`).join("\n")}`);
  return base;
}

/** The answer given to question `n` in every benchmark: options 1, 2, 3, 4, 1, … in turn. */
export const answerTo = (n: number): string => String(((n - 1) % 4) + 1);

/**
 * Question `n` as the engine would ask it, so a hand-written bot can render it with `plainText`
 * exactly like the engine's host does (same keys, same choices, same rendering work).
 */
export function questionMessage(flow: Flow, n: number, lang = "en"): Message {
  const node = flow.nodes[questionId(n)] as QuestionNode;
  const options = node.answer.type === "choice" ? node.answer.options : [];
  return {
    key: qualifyKey(flow, node.text),
    params: {},
    lang,
    choices: options.map((o) => ({ id: o.id, key: qualifyKey(flow, o.label) })),
    node: questionId(n),
    expects: "choice",
  };
}
