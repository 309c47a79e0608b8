// A flow's questions as plain data (result name, answer type, text keys, options), for the code that
// describes answers to people outside the conversation (exports, reports): they read this, never the
// engine's definitions.
import type { Flow } from "../engine/index.ts";
import { qualifyKey } from "../engine/index.ts";

/** What a question's answer is, as a researcher reads it. */
export type QuestionType = "choice" | "multiple_choice" | "yes_no" | "language" | "number" | "scale" | "date" | "text" | "location";

/** One option of a question: its code and the text key of its label. */
export interface QuestionOption {
  code: string;
  labelKey: string;
}

/** One question of a flow, as its answers are stored (by result name). */
export interface FlowQuestion {
  /** The result name the answers are stored under. */
  result: string;
  type: QuestionType;
  /** The question's text key, qualified (`needs:housing.question`). */
  textKey: string;
  options: QuestionOption[];
  /** For a number or scale, its bounds when set. */
  min?: number;
  max?: number;
}

/** A flow's id, version and questions, in the order they are written in the file. */
export interface FlowQuestions {
  flowId: string;
  version: string;
  /** The flow's title text key, if it has one (qualified). */
  titleKey?: string;
  questions: FlowQuestion[];
}

// yes_no answers are stored as the option `yes` or `no`; their labels are the shared ones.
const YES_NO: QuestionOption[] = [
  { code: "yes", labelKey: "common:yes" },
  { code: "no", labelKey: "common:no" },
];

/** The questions of a flow (two question nodes storing under one result name count once, the first). */
export function questionsOf(flow: Flow, languages: readonly string[] = []): FlowQuestions {
  const seen = new Set<string>();
  const questions: FlowQuestion[] = [];
  for (const [id, node] of Object.entries(flow.nodes)) {
    if (node.type !== "question") continue;
    const result = node.result ?? id;
    if (seen.has(result)) continue;
    seen.add(result);
    const spec = node.answer;
    const base = { result, textKey: qualifyKey(flow, node.text) };
    switch (spec.type) {
      case "choice":
      case "multiple_choice":
        questions.push({ ...base, type: spec.type, options: spec.options.map((o) => ({ code: o.id, labelKey: qualifyKey(flow, o.label) })) });
        break;
      case "yes_no":
        questions.push({ ...base, type: "yes_no", options: YES_NO });
        break;
      case "language":
        questions.push({ ...base, type: "language", options: languages.map((l) => ({ code: l, labelKey: `meta:languages.${l}` })) });
        break;
      case "scale":
        questions.push({ ...base, type: "scale", options: [], min: spec.min, max: spec.max });
        break;
      case "number":
        questions.push({ ...base, type: "number", options: [], ...(spec.min !== undefined ? { min: spec.min } : {}), ...(spec.max !== undefined ? { max: spec.max } : {}) });
        break;
      case "date":
      case "text":
      case "location":
        questions.push({ ...base, type: spec.type, options: [] });
        break;
    }
  }
  return { flowId: flow.id, version: String(flow.version), ...(flow.title ? { titleKey: qualifyKey(flow, flow.title) } : {}), questions };
}
