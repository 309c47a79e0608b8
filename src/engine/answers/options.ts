import type { Option } from "../definition/answer-spec.ts";
import { normalize } from "../text/normalize.ts";
import type { AnswerEnv } from "./types.ts";

// Partial matches shorter than this ("a", "no") are too ambiguous to guess from.
const MIN_PARTIAL = 3;

/** The option a piece of text means: its number, a number word, its id, its label or a synonym, or a unique part of a label. */
export function matchOption(options: readonly Option[], text: string, env: AnswerEnv): Option | undefined {
  const n = env.reader.wholeNumber(text);
  if (n !== undefined) return options[n - 1];
  const byId = options.find((o) => o.id === text);
  if (byId) return byId;
  const forms = options.map((o) => {
    const all = new Set(env.reader.forms(env.qualify(o.label)));
    if (o.synonyms) for (const s of env.reader.forms(env.qualify(o.synonyms))) all.add(s);
    return all;
  });
  const exact = options.filter((_, i) => forms[i]?.has(text));
  if (exact.length === 1) return exact[0];
  if (text.length < MIN_PARTIAL) return undefined;
  const partial = options.filter((_, i) =>
    [...(forms[i] ?? [])].some((f) => f.includes(text) || (f.length >= MIN_PARTIAL && text.includes(f))),
  );
  return partial.length === 1 ? partial[0] : undefined;
}

/** Normalize what was typed, for matching. */
export function typed(text: string): string {
  return normalize(text);
}
