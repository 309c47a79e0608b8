import type { AnswerSpec } from "../definition/answer-spec.ts";
import { parseChoice } from "./choice.ts";
import { parseDate } from "./date.ts";
import { parseLanguage } from "./language.ts";
import { parseLocation } from "./location.ts";
import { parseMultipleChoice } from "./multiple-choice.ts";
import { parseNumber } from "./number.ts";
import { parseScale } from "./scale.ts";
import { parseText } from "./text.ts";
import type { AnswerEnv, Parsed, Said } from "./types.ts";
import { parseYesNo } from "./yes-no.ts";

export type { AnswerEnv, Hint, Parsed, Said } from "./types.ts";
export { dateIn } from "./date.ts";
export { readYesNo } from "./yes-no.ts";
export { readLanguage } from "./language.ts";

/** Understand an answer to a question of the given spec, or say what hint to show. */
export function parseAnswer(spec: AnswerSpec, said: Said, env: AnswerEnv): Parsed {
  switch (spec.type) {
    case "text":
      return parseText(spec, said);
    case "number":
      return parseNumber(spec, said, env);
    case "choice":
      return parseChoice(spec, said, env);
    case "multiple_choice":
      return parseMultipleChoice(spec, said, env);
    case "yes_no":
      return parseYesNo(said, env);
    case "scale":
      return parseScale(spec, said, env);
    case "date":
      return parseDate(spec, said, env);
    case "location":
      return parseLocation(said);
    case "language":
      return parseLanguage(said, env);
  }
}
