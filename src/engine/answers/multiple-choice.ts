import type { z } from "zod";
import type { MultipleChoiceAnswer, Option } from "../definition/answer-spec.ts";
import { splitList } from "../text/normalize.ts";
import { matchOption, typed } from "./options.ts";
import { invalid, ok, type AnswerEnv, type Parsed, type Said } from "./types.ts";

/** Several options: "1,3", "1 3", "1 and 3", labels, or the toggled buttons of a channel. */
export function parseMultipleChoice(spec: z.infer<typeof MultipleChoiceAnswer>, said: Said, env: AnswerEnv): Parsed {
  const hint = () => invalid("hints:multiple_choice", { max: spec.options.length });
  let chosen: Option[] | undefined;
  if (said.type === "choices" || said.type === "choice") {
    const ids = said.type === "choices" ? said.ids : [said.id];
    const found = ids.map((id) => spec.options.find((o) => o.id === id));
    chosen = found.every((o) => o !== undefined) ? (found as Option[]) : undefined;
  } else if (said.type === "text") {
    chosen = readList(spec.options, typed(said.text), env);
  }
  if (!chosen || chosen.length === 0) return hint();
  // Keep the flow's option order, whatever order they were typed in.
  const ids = spec.options.filter((o) => chosen.includes(o)).map((o) => o.id);
  // "None of these" with something else contradicts itself: say so rather than pick one.
  const alone = ids.length > 1 ? spec.options.find((o) => o.exclusive && ids.includes(o.id)) : undefined;
  if (alone) {
    const n = spec.options.indexOf(alone) + 1;
    return invalid("hints:exclusive", { n, label: env.reader.text(env.qualify(alone.label)) ?? String(n) });
  }
  if (ids.length < spec.min) return invalid("hints:choose_at_least", { min: spec.min });
  if (spec.max !== undefined && ids.length > spec.max) return invalid("hints:choose_at_most", { max: spec.max });
  return ok({ kind: "choice", choices: ids });
}

function readList(options: readonly Option[], text: string, env: AnswerEnv): Option[] | undefined {
  const whole = matchOption(options, text, env);
  if (whole) return [whole];
  // Split on commas and "and" first, so labels of several words still match; then on spaces.
  const andWords = env.reader.andWords();
  // Arabic and Persian write "and" (و) joined to the next word: "1و3".
  const parts = text
    .replace(/(\d)\s*\u0648(?=\s*\d)/g, "$1,")
    .split(/\s*[,;/+&]\s*/)
    .flatMap((p) => p.split(new RegExp(`\\s+(?:${[...andWords].map(escape).join("|") || "\\u0000"})\\s+`)))
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const out: Option[] = [];
  for (const part of parts) {
    const one = matchOption(options, part, env);
    if (one) {
      out.push(one);
      continue;
    }
    const tokens = splitList(part, andWords);
    if (tokens.length < 2) return undefined;
    for (const token of tokens) {
      const t = matchOption(options, token, env);
      if (!t) return undefined;
      out.push(t);
    }
  }
  return out;
}

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
