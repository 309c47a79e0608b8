import type { z } from "zod";
import type { ChoiceAnswer } from "../definition/answer-spec.ts";
import { matchOption, typed } from "./options.ts";
import { invalid, ok, type AnswerEnv, type Parsed, type Said } from "./types.ts";

/** One option, by button, number, number word, label or synonym. */
export function parseChoice(spec: z.infer<typeof ChoiceAnswer>, said: Said, env: AnswerEnv): Parsed {
  if (said.type === "choice") {
    return spec.options.some((o) => o.id === said.id) ? ok({ kind: "choice", choices: [said.id] }) : hint(spec);
  }
  if (said.type !== "text") return hint(spec);
  const option = matchOption(spec.options, typed(said.text), env);
  return option ? ok({ kind: "choice", choices: [option.id] }) : hint(spec);
}

function hint(spec: z.infer<typeof ChoiceAnswer>): Parsed {
  return invalid("hints:choice", { max: spec.options.length });
}
