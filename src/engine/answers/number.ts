import type { z } from "zod";
import type { NumberAnswer } from "../definition/answer-spec.ts";
import { typed } from "./options.ts";
import { invalid, ok, type AnswerEnv, type Parsed, type Said } from "./types.ts";

/** A number: digits of any script, a decimal comma or point, or a number word. */
export function parseNumber(spec: z.infer<typeof NumberAnswer>, said: Said, env: AnswerEnv): Parsed {
  const range = rangeHint(spec);
  if (said.type !== "text") return range;
  const n = readNumber(typed(said.text), env);
  if (n === undefined) return range;
  if (spec.integer && !Number.isInteger(n)) return invalid("hints:whole_number");
  if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) return range;
  return ok({ kind: "number", number: n });
}

/** A number in normalized text, or undefined. */
export function readNumber(text: string, env: AnswerEnv): number | undefined {
  const word = env.reader.wholeNumber(text);
  if (word !== undefined) return word;
  let t = text.replace(/(\d)[ '\u00a0\u202f](?=\d{3}\b)/g, "$1"); // 1 000, 1'000
  if (/^-?\d+,\d{1,2}$/.test(t)) t = t.replace(",", "."); // 1,5 is a decimal in most of Europe
  else if (/^-?\d{1,3}([.,]\d{3})+$/.test(t) && !/^-?\d+\.\d{3}$/.test(t)) t = t.replace(/[.,]/g, "");
  if (!/^-?\d+(\.\d+)?$/.test(t)) return undefined;
  return Number(t);
}

function rangeHint(spec: z.infer<typeof NumberAnswer>) {
  if (spec.min !== undefined && spec.max !== undefined) return invalid("hints:number_between", { min: spec.min, max: spec.max });
  if (spec.min !== undefined) return invalid("hints:number_min", { min: spec.min });
  if (spec.max !== undefined) return invalid("hints:number_max", { max: spec.max });
  return invalid("hints:number");
}
