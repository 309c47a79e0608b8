import type { z } from "zod";
import type { ScaleAnswer } from "../definition/answer-spec.ts";
import { typed } from "./options.ts";
import { invalid, ok, type AnswerEnv, type Parsed, type Said } from "./types.ts";

/** A point on a scale: its number, or the label of a labelled point. */
export function parseScale(spec: z.infer<typeof ScaleAnswer>, said: Said, env: AnswerEnv): Parsed {
  const hint = invalid("hints:scale", { min: spec.min, max: spec.max });
  let n: number | undefined;
  if (said.type === "choice") n = /^-?\d+$/.test(said.id) ? Number(said.id) : undefined;
  else if (said.type === "text") {
    const text = typed(said.text);
    n = env.reader.wholeNumber(text.replace(/^-/, ""));
    if (n !== undefined && text.startsWith("-")) n = -n;
    if (n === undefined) {
      const labelled = Object.entries(spec.labels).find(([, key]) => env.reader.forms(env.qualify(key)).has(text));
      if (labelled) n = Number(labelled[0]);
    }
  }
  if (n === undefined || n < spec.min || n > spec.max) return hint;
  return ok({ kind: "number", number: n });
}
